// A manager of an organisation that writes in Swedish, Arabic and English sets up a
// participatory budget in the admin form: one field per content language, the Arabic ones
// right to left. In real headless Chromium, with the accessibility check.
import { join } from 'node:path';
import { check, checkAccessibility, freshDb, runScenario, screenshotDir, signIn, ting } from '../../../../tests/browser/harness.mjs';

const db = freshDb('admin.db');
ting(['org', 'add', '--db', db, '--slug', 'rinkeby', '--name', 'Rinkeby-Kista', '--languages', 'sv,ar,en']);
ting(['user', 'add', '--db', db, '--email', 'm@example.se', '--password', 'a long test password', '--role', 'manager', '--org', 'rinkeby']);

await runScenario('admin', db, async ({ browser, base }) => {
  const page = await signIn(browser, base, 'm@example.se', 'a long test password', { next: '/admin/processes', viewport: { width: 1100, height: 900 } });

  check(await page.getAttribute('#title_ar', 'dir') === 'rtl', 'Arabic (its catalogue says so) is written right to left');
  check(await page.getAttribute('#title_ar', 'lang') === 'ar', 'the Arabic field says its language');
  check(await page.getAttribute('#title_sv', 'required') !== null, 'the default language is required');
  check(await page.getAttribute('#title_en', 'required') === null, 'the others are not');

  await page.locator('#slug').fill('mb-2027');
  await page.getByLabel('Rubrik – svenska').fill('Medborgarbudget 2027');
  check((await page.textContent('label[for=title_ar]')).includes('arabiska'), 'languages named in the reader’s language');
  await page.locator('#title_ar').fill('ميزانية المواطنين ٢٠٢٧');
  await page.locator('#b_slug').fill('hela');
  await page.locator('#b_name_sv').fill('Hela stadsdelen');
  await page.locator('#b_amount').fill('1 000 000');
  // Who may vote: residents of two districts aged 16 to 25, in the register.
  await page.getByLabel('Bara personer i registret (annars alla med konto)').check();
  await page.getByLabel('Områden där man bor').fill('rinkeby, kista');
  await page.getByLabel('Lägsta ålder').fill('16');
  await page.getByLabel('Högsta ålder').fill('25');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(screenshotDir, 'admin-new-process-languages-mobile.png'), fullPage: true });
  await checkAccessibility(page, 'admin form with a field per language');
  await page.getByRole('button', { name: /Skapa/ }).click();
  await page.waitForURL(base + '/admin/processes/mb-2027');
  const h1 = await page.textContent('h1');
  check(h1.includes('Medborgarbudget 2027'), 'created, shown in Swedish: ' + h1);
  await checkAccessibility(page, 'admin edit page');
  await page.goto(base + '/processes/mb-2027');
  const who = await page.textContent('.who');
  check(who.includes('Personer i registret som är 16–25 år och bor i kista, rinkeby.'), 'the process page says who may vote: ' + who);

  const en = await browser.newPage({ locale: 'en-GB' });
  await en.goto(base + '/processes/mb-2027');
  check((await en.textContent('h1')).includes('Medborgarbudget 2027'), 'no English title: the default language’s');
  check((await en.textContent('body')).includes('1,000,000'), 'amounts as English writes them');
});
