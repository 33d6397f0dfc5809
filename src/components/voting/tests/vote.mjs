// A resident votes (knapsack ballot, with and without the running tally) and reads the
// result, in real headless Chromium against the demo database.
import { join } from 'node:path';
import { check, checkAccessibility, freshDb, runScenario, screenshotDir, signIn, ting } from '../../../../tests/browser/harness.mjs';

const db = freshDb('vote.db');
ting(['demo', '--db', db]);
await runScenario('vote', db, async ({ browser, base }) => {
  const page = await signIn(browser, base, 'sara@solbacka.example', 'demo-resident-2026');

  // The start page lists the processes; the 2026 one is open for voting.
  await page.getByRole('link', { name: 'Medborgarbudget 2026' }).click();
  check((await page.textContent('[aria-current=step]')).includes('Röstning'), 'the timeline marks voting as now');
  await page.goto(base + '/processes/medborgarbudget-2026/vote/centrum');
  const tally = page.locator('#tally');
  check(await tally.isVisible(), 'the running tally is shown with JavaScript');
  await page.getByLabel(/Lekplats med tema rymden/).check();
  await page.getByLabel(/Sommarbio i parken/).check();
  check((await tally.textContent()).includes('Kvar'), 'the tally shows the money left');
  await page.screenshot({ path: join(screenshotDir, 'vote-knapsack-mobile.png'), fullPage: true });
  await checkAccessibility(page, 'vote-knapsack-mobile');
  await page.getByRole('button', { name: 'Skicka min röst' }).click();
  await page.waitForURL(/receipt$/);
  check((await page.textContent('main')).includes('Lekplats med tema rymden'), 'the receipt lists the choice');
  check((await page.textContent('[role=status]')).includes('registrerad'), 'recorded message');
  await page.screenshot({ path: join(screenshotDir, 'vote-receipt.png'), fullPage: true });
  await checkAccessibility(page, 'vote-receipt');

  // Over budget: the server refuses and explains (the form works without the script too).
  await page.goto(base + '/processes/medborgarbudget-2026/vote/centrum');
  for (const name of [/Lekplats med tema rymden/, /Sommarbio i parken/, /Fler bänkar på torget/]) await page.getByLabel(name).check();
  const over = page.locator('#tally.over');
  await page.getByRole('button', { name: 'Skicka min röst' }).click();
  const alert = await page.textContent('[role=alert]').catch(() => '');
  check(alert.includes('budgeten') || (await over.count()) > 0, 'over budget is refused with a reason');

  // The 2025 result explains every project.
  await page.goto(base + '/processes/medborgarbudget-2025/results/hela-solbacka');
  check((await page.locator('svg.chart').count()) === 1, 'the result has a chart');
  const rows = await page.locator('table.results tbody tr').count();
  check(rows === 6, 'every project has a row: ' + rows);
  check((await page.textContent('table.results')).includes('kvar'), 'explanations speak of money left');
  await page.screenshot({ path: join(screenshotDir, 'results-2025.png'), fullPage: true });
  await checkAccessibility(page, 'results-2025');
});
