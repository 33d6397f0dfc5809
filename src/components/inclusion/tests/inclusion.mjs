// Who takes part, in headless Chromium on the demo: the public dashboard of the demo budget in
// Arabic (mirrored, charts with a name, tables, the accessibility check); a new resident answers
// the questions the notice invites them to, with consent, and deletes the answers again; the
// start page in easy-to-read Swedish; and the dashboard's stages and district filter with
// JavaScript off.
import { join } from 'node:path';
import { check, checkAccessibility, freshDb, runScenario, screenshotDir, ting } from '../../../../tests/browser/harness.mjs';

const db = freshDb('inclusion.db');
ting(['demo', '--db', db]);
const dashboard = '/processes/medborgarbudget-2026/inclusion';

await runScenario('inclusion', db, async ({ browser, base }) => {
  const api = async (method, path, token, body) => {
    const r = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
      body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, json: await r.json().catch(() => null) };
  };
  const participants = async (query) => {
    const r = await api('GET', `/api/v1/processes/medborgarbudget-2026/inclusion${query}`);
    check(r.status === 200, `the public dashboard's API (${query}): ${r.status}`);
    return r.json.participants;
  };

  // (a) The public dashboard in Arabic: right to left, charts with a name, tables.
  {
    const context = await browser.newContext({ locale: 'ar', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const response = await page.goto(base + dashboard);
    check(response.status() === 200, 'the demo dashboard is public: ' + response.status());
    check(await page.getAttribute('html', 'dir') === 'rtl', 'Arabic is mirrored: dir=' + await page.getAttribute('html', 'dir'));
    check(await page.getAttribute('html', 'lang') === 'ar', 'lang=' + await page.getAttribute('html', 'lang'));
    const charts = page.locator('svg[role="img"]');
    const chartCount = await charts.count();
    check(chartCount >= 5, 'a chart per question (age, gender, district, born, language): ' + chartCount);
    check(await page.getByRole('img').count() === chartCount, 'every chart is an image to assistive technology');
    for (let i = 0; i < chartCount; i++) {
      const name = await charts.nth(i).evaluate((svg) => (svg.getAttribute('aria-labelledby') || '').split(/\s+/)
        .map((id) => document.getElementById(id)?.textContent || '').join(' ').trim());
      check(name.length > 0, `chart ${i} has an accessible name`);
      check(await charts.nth(i).locator('rect').count() > 0, `chart ${i} has bars`);
    }
    const tables = page.locator('main table');
    check(await tables.count() >= chartCount, 'a table beside every chart: ' + await tables.count());
    check(await page.locator('main table caption').count() >= chartCount, 'the tables are named');
    check(await page.locator('main table th[scope="row"]').count() > 10, 'rows have headers');
    check(/\d/.test(await page.textContent('#participants')), 'the number of participants is shown');
    check((await page.textContent('main')).includes('أقل من 5'), 'small groups are shown as "fewer than 5" in Arabic');
    check(await page.locator('a[href*="exact=1"]').count() === 0, 'no exact export for the public');
    await page.screenshot({ path: join(screenshotDir, 'inclusion-dashboard-ar.png'), fullPage: true });
    await checkAccessibility(page, 'dashboard in Arabic');
    await context.close();
  }

  // (b) A new resident registers, is invited to answer, answers with consent, and deletes.
  {
    const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(base + '/register');
    await page.getByLabel('Namn (visas för andra)').fill('Amal');
    await page.getByLabel('E-postadress').fill('amal@example.se');
    await page.getByLabel('Lösenord').fill('ett långt lösenord 2026');
    await page.getByRole('button', { name: 'Skapa konto' }).click();
    await page.waitForURL(base + '/');
    const invitation = page.locator('main .notice a[href="/account/about-you"]');
    check(await invitation.count() === 1, 'the start page invites a new resident to answer');
    await page.goto(base + dashboard);
    check(await invitation.count() === 1, 'so does the dashboard');
    await invitation.click();
    await page.waitForURL(base + '/account/about-you');
    check((await page.textContent('main')).includes('skilt från din röst'), 'the page says who sees what');
    await checkAccessibility(page, 'questions');
    await page.getByLabel('Hur gammal är du?').selectOption('16-19');
    await page.getByLabel('Vilket kön har du?').selectOption('woman');
    await page.getByLabel('I vilken stadsdel bor du?').selectOption('norr');
    await page.getByLabel('Var är du född?').selectOption('outside_europe');
    await page.getByLabel('Vilket språk talar du mest hemma?').selectOption('ar');
    await page.getByLabel('Jag samtycker').check();
    await page.getByRole('button', { name: 'Spara mina svar' }).click();
    await page.waitForURL(base + '/');
    check((await page.textContent('[role=status]')).includes('Dina svar är sparade'), 'saved: ' + await page.textContent('main'));
    check(await page.locator('main .notice').count() === 0, 'the invitation is gone');
    await page.goto(base + dashboard);
    check(await page.locator('main .notice').count() === 0, 'on every page');

    const token = (await api('POST', '/api/v1/session', null, { email: 'amal@example.se', password: 'ett långt lösenord 2026' })).json.token;
    const saved = await api('GET', '/api/v1/me/demographics', token);
    check(saved.json.consent === true && JSON.stringify(saved.json.answers) ===
      JSON.stringify({ age: '16-19', born: 'outside_europe', district: 'norr', gender: 'woman', language: 'ar' }), 'kept: ' + JSON.stringify(saved.json));

    await page.goto(base + '/account/about-you');
    check(await page.getByLabel('Hur gammal är du?').inputValue() === '16-19', 'the answers are shown to their owner');
    await page.getByRole('button', { name: 'Ta bort mina svar' }).click();
    await page.waitForURL(base + '/account/about-you');
    check((await page.textContent('[role=status]')).includes('borttagna'), 'deleted: ' + await page.textContent('main'));
    check(await page.getByLabel('Hur gammal är du?').inputValue() === '', 'nothing is shown any more');
    check(await page.getByRole('button', { name: 'Ta bort mina svar' }).count() === 0, 'nothing left to delete');
    check(await page.locator('main .notice').count() === 0, 'asked once: not invited again');
    const deleted = await api('GET', '/api/v1/me/demographics', token);
    check(deleted.json.asked === true && deleted.json.consent === false && Object.keys(deleted.json.answers).length === 0,
      'deleted on the server: ' + JSON.stringify(deleted.json));
    await checkAccessibility(page, 'questions after deleting');
    await context.close();
  }

  // (c) Easy-to-read Swedish, chosen in the language picker.
  {
    const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(base + '/');
    check(await page.getAttribute('html', 'lang') === 'sv', 'Swedish first: ' + await page.getAttribute('html', 'lang'));
    const standard = { main: await page.textContent('main'), footer: await page.textContent('footer') };
    await page.locator('select#language-select').selectOption('sv-x-ll');
    await page.locator('form.language button[type="submit"]').click();
    await page.waitForURL(base + '/');
    check(await page.getAttribute('html', 'lang') === 'sv-x-ll', 'easy Swedish: lang=' + await page.getAttribute('html', 'lang'));
    check(await page.locator('select#language-select').inputValue() === 'sv-x-ll', 'the picker shows the choice');
    await page.reload();  // without the flash saying the language changed
    check(await page.getAttribute('html', 'lang') === 'sv-x-ll', 'the choice is kept');
    const easy = { main: await page.textContent('main'), footer: await page.textContent('footer') };
    check(easy.main !== standard.main, 'the start page reads differently in easy Swedish');
    check(easy.footer !== standard.footer, 'so does the footer: ' + easy.footer);
    await page.screenshot({ path: join(screenshotDir, 'inclusion-start-easy-swedish.png'), fullPage: true });
    await checkAccessibility(page, 'start page in easy Swedish');
    await page.goto(base + dashboard);
    check(await page.getAttribute('html', 'lang') === 'sv-x-ll', 'the choice stays on the dashboard');
    await page.screenshot({ path: join(screenshotDir, 'inclusion-dashboard-easy-swedish.png'), fullPage: true });
    await context.close();
  }

  // (d) Without JavaScript: the stage links and the district filter (a GET form) change the page.
  {
    const context = await browser.newContext({ locale: 'sv-SE', javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(base + dashboard);
    // The demo process is voting: the page opens on those who voted.
    const stages = page.getByRole('navigation', { name: 'Steg i processen' });
    check(await stages.getByRole('link', { name: 'Alla som deltagit' }).count() === 0, 'all stages together are for managers only');
    check(await stages.getByRole('link', { name: 'Röstade' }).getAttribute('aria-current') === 'page', 'voted at first');
    const voted = (await page.textContent('#participants')).trim();
    check(voted === String(await participants('?stage=voted')), `those who voted: ${voted}`);
    await stages.getByRole('link', { name: 'Lämnade förslag' }).click();
    await page.waitForURL(base + dashboard + '?stage=proposed');
    const proposed = (await page.textContent('#participants')).trim();
    check(proposed === String(await participants('?stage=proposed') ?? '< 5'), `those who proposed: ${proposed}`);
    check(proposed !== voted, 'the stage changes the numbers');
    check(await stages.getByRole('link', { name: 'Lämnade förslag' }).getAttribute('aria-current') === 'page', 'the current stage is marked');
    await stages.getByRole('link', { name: 'Röstade' }).click();
    await page.waitForURL(base + dashboard + '?stage=voted');
    const votedAge = await page.locator('#h-age ~ div table').textContent();

    await page.getByLabel('Stadsdel', { exact: true }).selectOption('norr');
    await page.getByRole('button', { name: 'Visa', exact: true }).click();
    await page.waitForURL((url) => url.pathname === dashboard && url.searchParams.get('district') === 'norr' && url.searchParams.get('stage') === 'voted');
    const norr = (await page.textContent('#participants')).trim();
    check(norr === String(await participants('?stage=voted&district=norr') ?? '< 5'), `those who voted in norr: ${norr}`);
    check(norr !== voted, 'the district changes the numbers');
    check(await page.getByLabel('Stadsdel', { exact: true }).inputValue() === 'norr', 'the filter shows its choice');
    check(await page.locator('#h-age ~ div table').textContent() !== votedAge, 'and the tables');
    check(await page.locator('#h-district').count() === 0, 'no district question within a district');
    // A stage link keeps the district.
    await stages.getByRole('link', { name: 'Lämnade förslag' }).click();
    await page.waitForURL((url) => url.searchParams.get('district') === 'norr' && url.searchParams.get('stage') === 'proposed');
    await page.screenshot({ path: join(screenshotDir, 'inclusion-dashboard-no-js.png'), fullPage: true });
    await context.close();
  }
});
