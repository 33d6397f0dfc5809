// A resident registers, signs out, signs in and switches language, in real headless Chromium.
import { join } from 'node:path';
import { check, checkAccessibility, freshDb, runScenario, screenshotDir } from './harness.mjs';

await runScenario('spine', freshDb('spine.db'), async ({ browser, base }) => {
  const page = await browser.newPage({ locale: 'sv-SE' });
  await page.goto(base + '/');
  check(await page.getAttribute('html', 'lang') === 'sv', 'Swedish by default');

  await page.getByRole('link', { name: 'Skapa konto' }).first().click();
  await page.getByLabel('Namn (visas för andra)').fill('Amina Warsame');
  await page.getByLabel('E-postadress').fill('amina@example.se');
  await page.getByLabel('Lösenord').fill('tre gröna äpplen');
  await page.getByRole('button', { name: 'Skapa konto' }).click();
  await page.waitForURL(base + '/');
  check((await page.textContent('main')).includes('Amina Warsame'), 'signed in after registering');
  check((await page.textContent('[role=status]')).includes('Välkommen'), 'welcome message');

  await page.getByRole('button', { name: 'Logga ut' }).click();
  await page.waitForURL(base + '/');
  await page.getByRole('link', { name: 'Logga in' }).first().click();
  await page.getByLabel('E-postadress').fill('amina@example.se');
  await page.getByLabel('Lösenord').fill('fel lösenord här');
  await page.getByRole('button', { name: 'Logga in' }).click();
  check((await page.textContent('[role=alert]')).includes('Fel e-postadress eller lösenord'), 'wrong password explained');
  await page.getByLabel('Lösenord').fill('tre gröna äpplen');
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL(base + '/');

  await page.getByLabel('Språk').selectOption('en');
  await page.getByRole('button', { name: 'Byt språk' }).click();
  await page.waitForURL(base + '/');
  check(await page.getAttribute('html', 'lang') === 'en', 'English after switching');
  check((await page.textContent('h1')).includes('Have your say'), 'English heading');
  await page.goto(base + '/account');
  check(await page.getAttribute('html', 'lang') === 'en', 'language remembered across pages');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(screenshotDir, 'spine-account-en-mobile.png'), fullPage: true });
  await checkAccessibility(page, 'spine-account-en-mobile');
});
