// A resident finds the demo budget's information evening from the process page and signs up in
// headless Chromium (first forgetting how to be reached); the organisers see the sign-up.
import { join } from 'node:path';
import { check, checkAccessibility, freshDb, runScenario, screenshotDir, ting } from '../../../../tests/browser/harness.mjs';

const db = freshDb('meetings.db');
ting(['demo', '--db', db]);
await runScenario('meetings', db, async ({ browser, base }) => {
  const page = await browser.newPage({ locale: 'sv-SE', viewport: { width: 390, height: 844 } });
  await page.goto(base + '/processes/medborgarbudget-2026');
  await page.getByRole('link', { name: 'Möten och träffar' }).click();
  await page.waitForURL(base + '/processes/medborgarbudget-2026/meetings');
  check((await page.textContent('main')).includes('Informationskväll om medborgarbudgeten'), 'the evening is listed');
  check((await page.textContent('main')).includes('Förslagsverkstad'), 'the drop-in workshop is listed');
  await checkAccessibility(page, 'meetings list');
  const evening = page.locator('li.card', { hasText: 'Informationskväll' });
  await evening.getByText('Anmäl dig').click();
  await evening.getByLabel('Namn', { exact: true }).fill('Nour');
  await evening.getByLabel('Jag samtycker').check();
  await evening.getByRole('button', { name: 'Anmäl mig' }).click();
  check((await page.textContent('main')).includes('Ange e-post eller telefon'), 'a way to reach them is asked for: ' + await page.textContent('main'));
  await page.goBack();
  await page.waitForURL(base + '/processes/medborgarbudget-2026/meetings');
  await page.reload();
  const again = page.locator('li.card', { hasText: 'Informationskväll' });
  await again.getByText('Anmäl dig').click();
  await again.getByLabel('Namn', { exact: true }).fill('Nour');
  await again.getByLabel('Telefon (valfritt)').fill('070-123 45 67');
  await again.getByLabel('Jag samtycker').check();
  await again.getByRole('button', { name: 'Anmäl mig' }).click();
  await page.waitForURL(base + '/processes/medborgarbudget-2026/meetings');
  check((await page.textContent('[role=status]')).includes('Du är anmäld'), 'signed up');
  check((await page.textContent('main')).includes('39 platser kvar'), 'one place fewer');
  await page.screenshot({ path: join(screenshotDir, 'meetings-mobile.png'), fullPage: true });
  await checkAccessibility(page, 'meetings after sign-up');

  const api = async (method, path, token, body) => {
    const r = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
      body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, json: await r.json().catch(() => null) };
  };
  const manager = (await api('POST', '/api/v1/session', null, { email: 'manager@solbacka.example', password: 'demo-manager-2026' })).json.token;
  const meetings = (await api('GET', '/api/v1/processes/medborgarbudget-2026/meetings')).json.meetings;
  const signUps = await api('GET', `/api/v1/processes/medborgarbudget-2026/meetings/${meetings[0].id}/sign-ups`, manager);
  check(signUps.json.sign_ups.length === 1 && signUps.json.sign_ups[0].phone === '070-123 45 67', 'the organisers see it: ' + JSON.stringify(signUps.json));
});
