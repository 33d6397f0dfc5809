// Voting has opened: a manager takes a project off the ballot, which needs a public reason; the
// project leaves the ballot page, and the result tells everyone what happened to the ballots
// that chose it — in real headless Chromium against the demo database.
import { join } from 'node:path';
import { check, checkAccessibility, freshDb, runScenario, screenshotDir, signIn, ting } from './harness.mjs';

const db = freshDb('frozen.db');
ting(['demo', '--db', db]);
const reason = 'Platsen är bokad för annat i sommar, så visningarna kan inte hållas där.';

const wide = { viewport: { width: 1100, height: 900 } };

async function api(base, method, path, token, body) {
  const r = await fetch(base + path, {
    method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => ({})) };
}

await runScenario('frozen', db, async ({ browser, base }) => {
  const slug = 'medborgarbudget-2026';
  const list = await api(base, 'GET', `/api/v1/processes/${slug}/proposals?q=Sommarbio`);
  const id = list.body.proposals[0].id;

  const admin = await signIn(browser, base, 'admin@solbacka.example', 'demo-admin-2026', wide);
  await admin.goto(`${base}/proposals/${id}`);
  const reasonBox = admin.getByLabel('Offentlig motivering (krävs under omröstningen)');
  check(await reasonBox.isVisible(), 'during voting, removing a project asks for a public reason');
  check((await admin.getByRole('button', { name: 'Ta med på röstsedeln' }).count()) === 0, 'nothing can join the ballot');
  await checkAccessibility(admin, 'proposal page with the removal form');
  await reasonBox.fill(reason);
  await admin.screenshot({ path: join(screenshotDir, 'frozen-remove.png'), fullPage: true });
  await admin.getByRole('button', { name: 'Ta bort från röstsedeln' }).click();
  await admin.waitForURL(`${base}/proposals/${id}`);
  check((await admin.textContent('[role=note]')).includes(reason), 'the proposal page says it left the ballot, and why');
  await admin.screenshot({ path: join(screenshotDir, 'frozen-removed.png'), fullPage: true });
  await checkAccessibility(admin, 'proposal page after the removal');

  // The author could not have withdrawn it; the resident no longer sees it on the ballot.
  const sara = await signIn(browser, base, 'sara@solbacka.example', 'demo-resident-2026', wide);
  await sara.goto(`${base}/processes/${slug}/vote/centrum`);
  check(!(await sara.textContent('main')).includes('Sommarbio i parken'), 'the removed project is off the ballot page');

  // Voting closes; the count accounts for Sara's demo ballot, which had chosen it.
  const token = (await api(base, 'POST', '/api/v1/session', '', { email: 'admin@solbacka.example', password: 'demo-admin-2026' })).body.token;
  check((await api(base, 'PATCH', `/api/v1/processes/${slug}`, token, { phase: 'results' })).status === 200, 'phase set to results');
  const counted = await api(base, 'POST', `/api/v1/processes/${slug}/budgets/centrum/count`, token, {});
  check(counted.status === 200, 'counted: ' + JSON.stringify(counted.body));
  const report = counted.body.ballot_report;
  check(report.removed.length === 1 && report.removed[0].reason === reason && report.removed[0].ballots >= 1, 'the report names the removal');
  check(report.counted_in_full + report.counted_in_part + report.counted_for_nothing === report.ballots, 'every ballot is accounted for');

  const page = await browser.newPage({ locale: 'sv-SE', viewport: { width: 390, height: 844 } });
  await page.goto(`${base}/processes/${slug}/results/centrum`);
  const section = await page.textContent('.ballot-report');
  check(section.includes(reason) && section.includes('Sommarbio i parken'), 'the results page says why and what it did');
  await page.screenshot({ path: join(screenshotDir, 'frozen-results-mobile.png'), fullPage: true });
  await checkAccessibility(page, 'results page with the ballot report');
});
