// A resident proposes an idea in headless Chromium: finds the open process, fills in the
// form (with a mistake first), sees the proposal page; a reviewer's answer reaches them.
import { join } from 'node:path';
import { check, checkAccessibility, freshDb, runScenario, screenshotDir, signIn, ting } from '../../../../tests/browser/harness.mjs';

const db = freshDb('propose.db');
ting(['demo', '--db', db]);
await runScenario('propose', db, async ({ browser, base }) => {
  const api = async (method, path, token, body) => {
    const r = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
      body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, json: await r.json().catch(() => null) };
  };
  const manager = (await api('POST', '/api/v1/session', null, { email: 'manager@solbacka.example', password: 'demo-manager-2026' })).json.token;
  const created = await api('POST', '/api/v1/processes', manager, {
    slug: 'ungdomsbudget', title: { sv: 'Ungdomsbudget 2027', en: 'Youth budget 2027' }, phase: 'proposals',
    budgets: [{ slug: 'alla', name: { sv: 'Hela Solbacka', en: 'All of Solbacka' }, amount: 50000000, ballot: { type: 'approval', max: 3 }, rule: 'greedy' }] });
  check(created.status === 201, 'process created: ' + JSON.stringify(created.json));

  const page = await signIn(browser, base, 'sara@solbacka.example', 'demo-resident-2026');
  await page.getByRole('link', { name: 'Ungdomsbudget 2027' }).click();
  await page.getByRole('link', { name: 'Förslag', exact: true }).click();
  await page.getByRole('link', { name: 'Lämna ett förslag' }).click();
  await page.getByLabel('Rubrik').fill('Skatepark vid fritidsgården');
  await page.getByLabel('Beskrivning').fill('En liten **skatepark** med ramper för nybörjare.');
  await page.getByLabel('Ungefärlig kostnad i kronor').fill('tvåhundratusen');
  await page.getByRole('button', { name: 'Skicka förslaget' }).click();
  check((await page.textContent('[role=alert]')).includes('positivt heltal'), 'a wrong cost is explained');
  check(await page.inputValue('#title') === 'Skatepark vid fritidsgården', 'what was typed is kept');
  await page.getByLabel('Ungefärlig kostnad i kronor').fill('200 000');
  await page.getByRole('button', { name: 'Skicka förslaget' }).click();
  await page.waitForURL(/\/proposals\/\d+$/);
  check((await page.textContent('h1')).includes('Skatepark'), 'the proposal page');
  check((await page.innerHTML('.prose')).includes('<strong>skatepark</strong>'), 'Markdown rendered');
  check((await page.textContent('main')).includes('200\u00a0000\u00a0kr'), 'cost shown in kronor');
  await page.screenshot({ path: join(screenshotDir, 'propose-done-mobile.png'), fullPage: true });
  await checkAccessibility(page, 'propose-done-mobile');

  // The reviewer asks for a revision; Sara sees the message and the notification.
  const id = page.url().split('/').pop();
  await api('PATCH', '/api/v1/processes/ungdomsbudget', manager, { phase: 'review' });
  const reviewer = (await api('POST', '/api/v1/session', null, { email: 'reviewer@solbacka.example', password: 'demo-reviewer-2026' })).json.token;
  const r = await api('POST', `/api/v1/proposals/${id}/review`, reviewer, { action: 'revise', explanation: 'Kan du ange en plats?' });
  check(r.status === 200, 'revision requested');
  await page.goto(base + '/notifications');
  check((await page.textContent('main')).includes('Skatepark'), 'the notification names the proposal');
  await page.goto(base + '/proposals/' + id);
  check((await page.textContent('main')).includes('Kan du ange en plats?'), 'the reviewer message is shown');
});
