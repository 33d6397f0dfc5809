// Following a process and writing a newsletter to its followers, in real headless Chromium with a
// real SMTP server, on the demo's data: Sara follows the 2026 budget from its page and sees it on
// her mail settings; the manager writes a newsletter, previews it, sends a test to herself, then
// sends it; Sara's mail arrives. Every page with the accessibility check.
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { check, checkAccessibility, freshDb, mails, runScenario, screenshotDir, signIn, startSmtp, ting } from '../../../../tests/browser/harness.mjs';

const db = freshDb('newsletters.db');
const maildir = join(dirname(db), 'mail');
ting(['demo', '--db', db]);
const smtp = await startSmtp(maildir);
const config = join(dirname(db), 'ting.json');
writeFileSync(config, JSON.stringify({ smtp_url: `smtp://127.0.0.1:${smtp.port}`, mail_from: 'Solbacka <noreply@solbacka.example>' }));

await runScenario('newsletters', db, async ({ browser, base }) => {
  const sara = await signIn(browser, base, 'sara@solbacka.example', 'demo-resident-2026', { next: '/processes/medborgarbudget-2026' });
  await sara.getByRole('button', { name: 'Följ' }).click();
  await sara.waitForURL(base + '/processes/medborgarbudget-2026');
  check((await sara.textContent('main')).includes('Du följer den här processen.'), 'following');
  await checkAccessibility(sara, 'process page, following');
  await sara.goto(base + '/account/notifications');
  check(await sara.locator('a[href="/processes/medborgarbudget-2026"]').count() === 1, 'the followed process is listed');
  await sara.screenshot({ path: join(screenshotDir, 'mail-follows-mobile.png'), fullPage: true });
  await checkAccessibility(sara, 'mail settings with a follow');

  const manager = await signIn(browser, base, 'manager@solbacka.example', 'demo-manager-2026', { next: '/admin/newsletters', viewport: { width: 1280, height: 900 } });
  await checkAccessibility(manager, 'newsletters');
  await manager.getByLabel('Mottagare').selectOption('medborgarbudget-2026');
  await manager.locator('#subject_sv').fill('Rösta senast söndag');
  await manager.locator('#body_sv').fill('Hej!\n\nOmröstningen pågår. Läs mer: https://solbacka.example/rosta');
  await manager.locator('#subject_en').fill('Vote by Sunday');
  await manager.locator('#body_en').fill('Hello!\n\nVoting is open.');
  await manager.getByRole('button', { name: 'Spara och förhandsgranska' }).click();
  await manager.waitForURL(/\/admin\/newsletters\/\d+$/);
  const preview = await manager.textContent('main');
  check(preview.includes('Rösta senast söndag') && preview.includes('Omröstningen pågår.'), 'the preview shows the mail');
  check(preview.includes('Antal mottagare') && /Antal mottagare\s*1/.test(preview), 'one follower: ' + preview);
  await manager.screenshot({ path: join(screenshotDir, 'newsletter-preview-desktop.png'), fullPage: true });
  await checkAccessibility(manager, 'newsletter preview');

  await manager.getByRole('button', { name: 'Skicka ett prov till mig' }).click();
  check((await manager.textContent('[role=status]')).includes('Provet är skickat'), 'the test is on its way');
  let received = await mails(maildir, 1);
  check(received.length === 1 && received[0].to[0] === 'manager@solbacka.example', 'the test went to the manager: ' + JSON.stringify(received.map((m) => m.to)));

  await manager.getByRole('button', { name: 'Skicka till alla mottagare' }).click();
  check((await manager.textContent('[role=status]')).includes('i kö'), 'queued');
  received = await mails(maildir, 2);
  check(received.length === 2 && received[1].to[0] === 'sara@solbacka.example', 'Sara got it: ' + JSON.stringify(received.map((m) => m.to)));
  check(received[1].text.includes('Omröstningen pågår.'), 'in Swedish, her language');
  check((await manager.locator('button', { hasText: 'Skicka till alla mottagare' }).count()) === 0, 'a sent newsletter cannot be sent again');
  await checkAccessibility(manager, 'newsletter sent');
}, ['--config', config]);
