// Progressive enhancement for the ballot page: a running tally (choices left, money left,
// points left, ranks given). The form works the same without it; the server checks everything.
(function () {
  'use strict';
  var form = document.querySelector('form.ballot');
  if (!form) return;
  var tally = document.getElementById('tally');
  var d = form.dataset;
  var money = function (minor) {
    try {
      return new Intl.NumberFormat(d.lang === 'sv' ? 'sv-SE' : 'en-GB', { style: 'currency', currency: d.currency,
        maximumFractionDigits: 0 }).format(minor / 100);
    } catch (e) { return String(minor / 100); }
  };
  var fill = function (template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k] !== undefined ? values[k] : ''; });
  };
  var update = function () {
    var text = '', over = false;
    if (d.type === 'approval' || d.type === 'knapsack') {
      var chosen = form.querySelectorAll('input[name=project]:checked');
      if (d.type === 'knapsack') {
        var used = 0;
        chosen.forEach(function (c) { used += Number(c.dataset.cost); });
        over = used > Number(d.amount);
        text = fill(d.tallyKnapsack, { used: money(used), amount: money(Number(d.amount)), left: money(Number(d.amount) - used) });
      } else if (Number(d.max) > 0) {
        over = chosen.length > Number(d.max);
        text = fill(d.tallyApproval, { count: chosen.length, max: d.max });
      } else {
        text = fill(d.tallyApprovalAny, { count: chosen.length });
      }
    } else if (d.type === 'cumulative') {
      var points = 0;
      form.querySelectorAll('input.points').forEach(function (i) { points += Math.max(0, Number(i.value) || 0); });
      over = points > Number(d.points);
      text = fill(d.tallyCumulative, { used: points, points: d.points });
    } else if (d.type === 'ranking') {
      var ranked = 0;
      form.querySelectorAll('select.rank').forEach(function (s) { if (s.value) ranked++; });
      text = fill(d.tallyRanking, { count: ranked });
    }
    tally.textContent = text;
    tally.classList.toggle('over', over);
    tally.hidden = false;
  };
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  update();
})();
