// Every door in real headless Chromium, on the demo: an administrator imports a register, a
// manager downloads the letters (a PDF, read with poppler's pdftotext and pdftoppm), a resident
// without an account votes with the code from their letter, and staff at the library desk record
// another person's paper ballot. Every page is checked for accessibility.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { check, checkAccessibility, freshDb, runScenario, screenshotDir, signIn, ting } from '../../../../tests/browser/harness.mjs';

const db = freshDb('channels.db');
ting(['demo', '--db', db]);
const dir = dirname(db);
const register = join(dir, 'register.csv');
writeFileSync(register, 'person_id;name;district;birth_date;household\n19700101-1111;Klara Kod;centrum;1970-01-01;Storgatan 1\n' +
                        '19700202-2222;Per Papper;centrum;1970-02-02;Storgatan 2\n20200303-3333;Lilla Barn;centrum;2020-03-03;Storgatan 2\n');
const process = '/processes/medborgarbudget-2026';

await runScenario('channels', db, async ({ browser, base }) => {
  // A resident's account page leads to verification; before the new register, Sara was verified.
  const sara = await signIn(browser, base, 'sara@solbacka.example', 'demo-resident-2026', { next: '/account/verify' });
  check((await sara.textContent('main')).includes('Ditt konto är verifierat som'), 'the demo resident is verified: ' + (await sara.textContent('main')));
  await checkAccessibility(sara, 'verify (verified)');

  // The administrator replaces the demo's register with three people of centrum.
  const admin = await signIn(browser, base, 'admin@solbacka.example', 'demo-admin-2026', { next: '/admin/register' });
  await admin.setInputFiles('#register-file', register);
  await admin.getByRole('button', { name: 'Importera registret' }).click();
  await admin.waitForURL(base + '/admin/register');
  check((await admin.textContent('main')).includes('centrum'), 'the register is imported');
  await sara.goto(base + '/account/verify');
  check((await sara.textContent('main')).includes('Verifiera ditt konto en gång'), 'Sara left the register: her account is no longer verified');
  await checkAccessibility(sara, 'verify (form)');
  await sara.screenshot({ path: join(screenshotDir, 'verify-mobile.png'), fullPage: true });

  // The manager downloads the letters for centrum: the child (5 years old) gets none.
  const manager = await signIn(browser, base, 'manager@solbacka.example', 'demo-manager-2026', { next: process + '/codes' });
  check((await manager.textContent('main')).includes('2'), 'two people may vote today');
  await checkAccessibility(manager, 'codes');
  await manager.screenshot({ path: join(screenshotDir, 'codes-mobile.png'), fullPage: true });
  await manager.getByLabel('Bara personer som får rösta i').selectOption('centrum');
  const [download] = await Promise.all([manager.waitForEvent('download'), manager.getByRole('button', { name: 'Skapa koder' }).click()]);
  const pdf = join(dir, 'letters.pdf');
  await download.saveAs(pdf);
  const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
  check(/Pages:\s+2\b/.test(info), 'one page a person: ' + info);
  const letter = execFileSync('pdftotext', ['-layout', '-f', '1', '-l', '1', pdf, '-'], { encoding: 'utf8' });
  check(letter.includes('Klara Kod') && letter.includes('Storgatan 1'), 'the first letter is Klara\'s, with her address');
  check(!letter.includes('Per Papper'), 'one person a page');
  const code = (letter.match(/\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b/) || [])[0];
  check(code, 'the letter has a code: ' + letter);
  const link = (letter.match(/https?:\/\/\S+vote-with-code\?code=\S+/) || [])[0];
  check(link && link.endsWith(code) && link.startsWith(base), 'the letter has the link with the code: ' + link);
  execFileSync('pdftoppm', ['-f', '1', '-l', '1', '-r', '60', '-png', pdf, join(screenshotDir, 'letter')]);

  // Klara follows the link in her letter on her phone: no account, no sign-in.
  const klara = await browser.newPage({ locale: 'sv-SE', viewport: { width: 390, height: 844 } });
  await klara.goto(link);
  check((await klara.inputValue('#code')) === code, 'the link fills in the code');
  await checkAccessibility(klara, 'vote with code');
  await klara.screenshot({ path: join(screenshotDir, 'vote-with-code-mobile.png'), fullPage: true });
  await klara.getByRole('button', { name: 'Fortsätt' }).click();
  await klara.waitForURL(base + process + '/vote');
  const overview = await klara.textContent('main');
  check(overview.includes('Du röstar med en röstkod'), 'the overview says how she votes');
  check(overview.includes('bor i andra områden'), 'Norr and Söder are not hers, and she is told why');
  await checkAccessibility(klara, 'where may I vote');
  await klara.screenshot({ path: join(screenshotDir, 'vote-overview-code-mobile.png'), fullPage: true });
  await klara.locator('li.card', { hasText: 'Centrum' }).getByRole('link', { name: 'Rösta' }).click();
  await klara.getByLabel(/Lekplats med tema rymden/).check();
  await klara.getByRole('button', { name: 'Skicka min röst' }).click();
  await klara.waitForURL(/receipt$/);
  check((await klara.textContent('main')).includes('med kod'), 'the receipt says it came with a code');
  await checkAccessibility(klara, 'receipt with code');
  await klara.getByRole('button', { name: 'Klar' }).click();
  await klara.waitForURL(base + process);
  const after = await klara.goto(base + process + '/vote/centrum');
  check(after.status() === 401 || (await klara.textContent('main')).includes('Logga in'), 'done: the device no longer votes for her');

  // Staff at the library: Per brings a paper ballot; Klara has voted already (never how).
  const staff = await signIn(browser, base, 'staff@solbacka.example', 'demo-staff-2026', { next: process + '/desk' });
  await staff.getByLabel('Person-id (personnummer eller hyresgästnummer)').fill('197001011111');
  await staff.getByRole('button', { name: 'Slå upp' }).click();
  check((await staff.textContent('main')).includes('Har röstat (med kod)'), 'the desk sees that Klara voted, and through which door');
  check(!(await staff.textContent('main')).includes('Lekplats'), 'never how');
  await staff.getByLabel('Person-id (personnummer eller hyresgästnummer)').fill('19700202-2222');
  await staff.getByRole('button', { name: 'Slå upp' }).click();
  check((await staff.textContent('main')).includes('Per Papper'), 'Per is found');
  await checkAccessibility(staff, 'desk');
  await staff.screenshot({ path: join(screenshotDir, 'desk-mobile.png'), fullPage: true });
  await staff.locator('li.card', { hasText: 'Centrum' }).getByRole('link', { name: 'Registrera en röst på papper' }).click();
  check((await staff.textContent('main')).includes('Röst på papper för Per Papper'), 'the paper form names its person');
  await staff.getByLabel(/Sommarbio i parken/).check();
  await checkAccessibility(staff, 'paper ballot');
  await staff.getByRole('button', { name: 'Skicka min röst' }).click();
  await staff.waitForURL(/desk\?person=/);
  check((await staff.textContent('[role=status]')).includes('registrerad'), 'recorded');
  check((await staff.textContent('main')).includes('Har röstat (på papper)'), 'the desk shows Per\'s paper ballot');
  await staff.screenshot({ path: join(screenshotDir, 'desk-recorded-mobile.png'), fullPage: true });

  // A pile of two anonymous paper ballots from an event, entered by the staff member and then by
  // the manager: it counts when both agree.
  async function enterPile(page, label) {
    await page.goto(base + process + '/desk');
    await page.getByRole('link', { name: 'Mata in en bunt för Centrum' }).click();
    await page.getByLabel('Buntens nummer').fill('Torget-7');
    await page.getByLabel(/Lekplats med tema rymden/).check();
    await page.getByRole('button', { name: 'Lägg till rösten' }).click();
    check((await page.textContent('main')).includes('Röst 1 i bunt Torget-7 är tillagd'), label + ': the first ballot is added');
    check((await page.inputValue('#batch')) === 'Torget-7', label + ': the pile keeps its number');
    await page.getByLabel(/Sommarbio i parken/).check();
    await page.getByRole('button', { name: 'Lägg till rösten' }).click();
    check((await page.textContent('main')).includes('Tillagda röster hittills: 2'), label + ': two ballots so far');
    await checkAccessibility(page, 'batch entry');
    await page.getByRole('button', { name: 'Mata in bunten' }).click();
    await page.waitForURL(base + process + '/desk');
    return page.textContent('[role=status]');
  }
  check((await enterPile(staff, 'staff')).includes('räknas när någon annan'), 'the first entry waits for a second');
  await staff.screenshot({ path: join(screenshotDir, 'desk-batch-waiting-mobile.png'), fullPage: true });
  const second = await signIn(browser, base, 'manager@solbacka.example', 'demo-manager-2026', { next: process + '/desk' });
  check((await enterPile(second, 'manager')).includes('stämmer: dess röster räknas'), 'the second agreeing entry counts the pile');

  // Klara comes to the desk too and votes on the library's tablet: staff open the ballot for
  // her, and are signed out of the device they hand over.
  await staff.getByLabel('Person-id (personnummer eller hyresgästnummer)').fill('19700101-1111');
  await staff.getByRole('button', { name: 'Slå upp' }).click();
  await staff.getByRole('button', { name: /Öppna röstsedeln/ }).click();
  await staff.waitForURL(base + process + '/vote');
  check((await staff.textContent('main')).includes('Personalen har öppnat röstsedeln åt dig'), 'the tablet says it is hers now');
  check(!(await staff.textContent('header')).includes('Logga ut'), 'the staff member is signed out of the tablet');
  await checkAccessibility(staff, 'desk session overview');
  await staff.locator('li.card', { hasText: 'Centrum' }).getByRole('link', { name: 'Rösta' }).click();
  check(!(await staff.getByLabel(/Lekplats med tema rymden/).isChecked()), 'the desk never shows her earlier ballot (staff hold the device)');
  await staff.getByLabel(/Sommarbio i parken/).check();
  await staff.getByRole('button', { name: 'Skicka min röst' }).click();
  await staff.waitForURL(/receipt$/);
  check((await staff.textContent('main')).includes('hos personalen'), 'her ballot came through the desk, replacing her code ballot');
  await staff.getByRole('button', { name: 'Klar' }).click();
  const desk = await staff.goto(base + process + '/desk');
  check((await staff.textContent('main')).includes('Logga in'), 'the desk needs a staff sign-in again: ' + desk.status());
});
