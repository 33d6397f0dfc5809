// An administrator imports the register of residents from a CSV file in the browser: first a
// file with mistakes (every one listed by line and column, nothing imported), then a good one.
// In real headless Chromium, with the accessibility check.
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { check, checkAccessibility, freshDb, runScenario, screenshotDir, signIn, ting } from '../../../../tests/browser/harness.mjs';

const db = freshDb('register.db');
ting(['user', 'add', '--db', db, '--email', 'admin@example.se', '--password', 'a long test password', '--role', 'admin']);
const bad = join(dirname(db), 'bad.csv');
const good = join(dirname(db), 'good.csv');
writeFileSync(bad, 'person_id;name;district;birth_date\n19900101-1234;Sara Ahmed;norr;1990-02-30\n;Lars;söder;\n');
writeFileSync(good, '\uFEFFperson_id;name;district;birth_date\n19900101-1234;Sara Ahmed;norr;1990-02-03\n200801012345;Lars;söder;\n');

await runScenario('register', db, async ({ browser, base }) => {
  const page = await signIn(browser, base, 'admin@example.se', 'a long test password', { next: '/admin/register' });
  check((await page.textContent('main')).includes('Registret är tomt'), 'empty at first');
  await page.setInputFiles('#register-file', bad);
  await page.getByRole('button', { name: 'Importera registret' }).click();
  const alert = await page.textContent('[role=alert]');
  check(alert.includes('2 fel'), 'two problems: ' + alert);
  check(alert.includes('birth_date') && alert.includes('person_id'), 'named by column');
  await page.screenshot({ path: join(screenshotDir, 'register-problems-mobile.png'), fullPage: true });
  await checkAccessibility(page, 'register with problems');

  await page.setInputFiles('#register-file', good);
  await page.getByRole('button', { name: 'Importera registret' }).click();
  await page.waitForURL(base + '/admin/register');
  check((await page.textContent('[role=status]')).includes('importerat'), 'imported');
  check((await page.textContent('main')).includes('söder'), 'the districts are summed up');
  await checkAccessibility(page, 'register summary');
});
