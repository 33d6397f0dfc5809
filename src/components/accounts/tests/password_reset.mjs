// Forgot password, in real headless Chromium with a real SMTP server: the sign-in page's link,
// the request, the mail, the link in it, the new password, signing in with it (and not with the
// old one); the mail settings page and the outbox page, with the accessibility check.
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { check, checkAccessibility, freshDb, mails, runScenario, screenshotDir, signIn, startSmtp, ting } from '../../../../tests/browser/harness.mjs';

const db = freshDb('reset.db');
const maildir = join(dirname(db), 'mail');
ting(['user', 'add', '--db', db, '--email', 'klara@example.se', '--password', 'the old password', '--name', 'Klara']);
ting(['user', 'add', '--db', db, '--email', 'admin@example.se', '--password', 'a long test password', '--role', 'admin']);
const smtp = await startSmtp(maildir);
const config = join(dirname(db), 'ting.json');
writeFileSync(config, JSON.stringify({ smtp_url: `smtp://127.0.0.1:${smtp.port}`, mail_from: 'Ting <noreply@ting.example>' }));

await runScenario('password_reset', db, async ({ browser, base }) => {
  const page = await browser.newPage({ locale: 'sv-SE', viewport: { width: 390, height: 844 } });
  await page.goto(base + '/sign-in');
  await page.getByRole('link', { name: 'Glömt lösenordet?' }).click();
  await page.waitForURL(base + '/password-reset');
  await checkAccessibility(page, 'forgot password');
  await page.getByLabel('E-postadress').fill('klara@example.se');
  await page.getByRole('button', { name: 'Skicka länken' }).click();
  check((await page.textContent('h1')).includes('Titta i din e-post'), 'the answer page');
  check((await page.textContent('main')).includes('60 minuter'), 'says how long the link works');
  await page.screenshot({ path: join(screenshotDir, 'reset-sent-mobile.png'), fullPage: true });
  await checkAccessibility(page, 'reset sent');

  const received = await mails(maildir, 1);
  check(received.length === 1 && received[0].to[0] === 'klara@example.se', 'one mail to Klara: ' + JSON.stringify(received));
  const link = received[0].text.match(/https?:\/\/[^/\s]+(\/password-reset\/\S+)/);
  check(link, 'the mail has the link: ' + received[0].text);
  await page.goto(base + link[1]);
  check((await page.textContent('main')).includes('klara@example.se'), 'the form names the account');
  await checkAccessibility(page, 'new password form');
  await page.getByLabel('Nytt lösenord').fill('klara@example.se');
  await page.getByRole('button', { name: 'Spara nytt lösenord' }).click();
  check((await page.textContent('[role=alert]')).includes('e-postadress'), 'the password rules are shown');
  await checkAccessibility(page, 'new password refused');
  await page.getByLabel('Nytt lösenord').fill('a brand new password');
  await page.getByRole('button', { name: 'Spara nytt lösenord' }).click();
  await page.waitForURL(base + '/sign-in');
  check((await page.textContent('[role=status]')).includes('lösenord är bytt'), 'told to sign in with the new one');
  await page.screenshot({ path: join(screenshotDir, 'reset-done-mobile.png'), fullPage: true });

  // The link is used up.
  const again = await page.goto(base + link[1]);
  check(again.status() === 410, 'a used link answers 410, got ' + again.status());
  check((await page.textContent('main')).includes('Glömt lösenordet?'), 'and says where to get a new one');
  await checkAccessibility(page, 'used link');

  // The old password no longer works; the new one does.
  await page.goto(base + '/sign-in');
  await page.getByLabel('E-postadress').fill('klara@example.se');
  await page.getByLabel('Lösenord').fill('the old password');
  await page.getByRole('button', { name: 'Logga in' }).click();
  check((await page.textContent('[role=alert]')).length > 0, 'the old password is refused');
  const signedIn = await signIn(browser, base, 'klara@example.se', 'a brand new password', { next: '/account/notifications' });
  check((await signedIn.textContent('h1')).includes('E-post från oss'), 'the mail settings page');
  await signedIn.getByLabel('En gång om dagen, allt i ett brev').check();
  await signedIn.getByRole('button', { name: 'Spara' }).click();
  await signedIn.waitForURL(base + '/account/notifications');
  check(await signedIn.getByLabel('En gång om dagen, allt i ett brev').isChecked(), 'the digest is chosen');
  await signedIn.screenshot({ path: join(screenshotDir, 'mail-settings-mobile.png'), fullPage: true });
  await checkAccessibility(signedIn, 'mail settings');
  await signedIn.goto(base + '/account');
  check((await signedIn.textContent('main')).includes('bekräftad'), 'the reset verified the address');
  await checkAccessibility(signedIn, 'account page');

  const admin = await signIn(browser, base, 'admin@example.se', 'a long test password', { next: '/admin/mail', viewport: { width: 1280, height: 900 } });
  check((await admin.textContent('h1')).includes('Utgående e-post'), 'the outbox page');
  await admin.screenshot({ path: join(screenshotDir, 'outbox-desktop.png'), fullPage: true });
  await checkAccessibility(admin, 'outbox');
}, ['--config', config]);
