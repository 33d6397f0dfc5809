// Citizens' assemblies in headless Chromium, on the demo: a manager sets one up with the form; a
// resident registers from an invitation letter (the QR code's link fills in the code), first with
// a wrong code; a drawn member opens their seat link, proposes a recommendation and votes; the
// public page of a finished assembly and its draw record show the whole path and no names.
// Every page passes the accessibility check; screenshots for people to look at.
import { join } from 'node:path';
import { check, checkAccessibility, freshDb, runScenario, screenshotDir, signIn, ting } from '../../../../tests/browser/harness.mjs';

const db = freshDb('assemblies.db');
ting(['demo', '--db', db]);
await runScenario('assemblies', db, async ({ browser, base }) => {
  const api = async (method, path, token, body) => {
    const r = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
      body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, json: await r.json().catch(() => null) };
  };
  const manager = (await api('POST', '/api/v1/session', null, { email: 'manager@solbacka.example', password: 'demo-manager-2026' })).json.token;

  // The manager creates an invitation-only assembly with the form (quotas as categories.csv lines).
  const admin = await signIn(browser, base, 'manager@solbacka.example', 'demo-manager-2026', { next: '/admin/assemblies', viewport: { width: 1280, height: 900 } });
  await checkAccessibility(admin, 'assemblies admin list');
  await admin.getByLabel('Kortnamn för adressen').fill('bostadsradet');
  await admin.getByLabel('Rubrik').fill('Bostadsrådet');
  await admin.getByLabel('Frågan som rådet ska besvara').fill('Hur ska Solbacka bygga bostäder som fler har råd med?');
  await admin.getByLabel('Rådets storlek (platser)').fill('6');
  await admin.getByLabel('Högst en person per hushåll').check();
  await admin.getByLabel(/Kvoter/).fill('feature,value,min,max\nkön,kvinna,2,4\nkön,man,2,4\nstadsdel,norr,1,3\nstadsdel,centrum,1,3\nstadsdel,söder,1,3');
  await admin.getByRole('button', { name: 'Skapa ett medborgarråd' }).click();
  await admin.waitForURL(base + '/admin/assemblies/bostadsradet');
  check((await admin.textContent('[role=status]')).includes('skapat'), 'created: ' + await admin.textContent('main'));
  await checkAccessibility(admin, 'assembly admin page (registration)');
  await admin.screenshot({ path: join(screenshotDir, 'assembly-admin-desktop.png'), fullPage: true });

  // Letters with codes, drawn from the register (the API's JSON form; the page gives the PDF).
  const invited = await api('POST', '/api/v1/assemblies/bostadsradet/invitations', manager, { count: 5, stratify: 'district', format: 'json' });
  check(invited.status === 201 && invited.json.codes.length === 5, 'five letters: ' + JSON.stringify(invited.json));
  const letter = invited.json.codes[0];
  check(letter.url.includes('/assemblies/bostadsradet/register?code=' + letter.code), 'the QR link carries the code: ' + letter.url);

  // A resident opens the letter's link: the code is filled in. A mistyped code is explained.
  const page = await browser.newPage({ locale: 'sv-SE', viewport: { width: 390, height: 844 } });
  await page.goto(base + '/assemblies/bostadsradet/register?code=' + encodeURIComponent(letter.code));
  check(await page.inputValue('#code') === letter.code, 'the code from the QR link is filled in');
  await checkAccessibility(page, 'registration form');
  await page.getByLabel('Din personliga kod (står i brevet)').fill('AAAA-BBBB-CCCC');
  await page.getByLabel('Namn').fill('Ylva Invånare');
  await page.getByLabel('E-post (valfritt)').fill('ylva@example.se');
  await page.getByRole('group', { name: 'kön' }).getByLabel('kvinna').check();
  await page.getByRole('group', { name: 'stadsdel' }).getByLabel('söder').check();
  await page.getByLabel('Tolk (vilket språk?)').fill('somaliska');
  await page.getByLabel('Jag samtycker till att mina svar behandlas för lottningen').check();
  await page.getByRole('button', { name: 'Anmäl dig' }).click();
  check((await page.textContent('[role=alert]')).includes('Koden gäller inte'), 'a wrong code is explained: ' + await page.textContent('main'));
  check(await page.inputValue('#name') === 'Ylva Invånare', 'what was typed is kept');
  await checkAccessibility(page, 'registration with a problem');
  await page.getByLabel('Din personliga kod (står i brevet)').fill(letter.code.toLowerCase());
  await page.getByLabel('Jag samtycker till att mina svar behandlas för lottningen').check();
  await page.getByRole('button', { name: 'Anmäl dig' }).click();
  check((await page.textContent('h1')).includes('Tack för din anmälan'), 'registered: ' + await page.textContent('main'));
  check((await page.textContent('main')).includes('ylva@example.se'), 'the confirmation is mailed');
  await page.screenshot({ path: join(screenshotDir, 'assembly-registered-mobile.png'), fullPage: true });
  await checkAccessibility(page, 'registration confirmed');
  const pool = await api('GET', '/api/v1/assemblies/bostadsradet/pool', manager);
  check(pool.json.volunteers === 1 && pool.json.features['stadsdel']['söder'].count === 1, 'in the pool: ' + JSON.stringify(pool.json));
  const volunteers = await api('GET', '/api/v1/assemblies/bostadsradet/volunteers', manager);
  check(volunteers.json.volunteers[0].needs.interpreter === 'somaliska', 'needs are kept for the organisers');

  // A drawn member of the assembly in session opens their seat link and works on a recommendation.
  const panel = await api('GET', '/api/v1/assemblies/kulturradet/panel', manager);
  const member = panel.json.members.find((m) => m.seat === 'confirmed');
  const memberPage = await browser.newPage({ locale: 'sv-SE', viewport: { width: 390, height: 844 } });
  await memberPage.goto(member.seat_url.replace(/^https?:\/\/[^/]+/, base));
  await memberPage.waitForURL(base + '/assemblies/kulturradet/members');
  check(!memberPage.url().includes(member.seat_url.split('/').pop()), 'the key leaves the address bar');
  check((await memberPage.textContent('main')).includes('bekräftad'), 'the seat is confirmed');
  check((await memberPage.textContent('main')).includes('Möte 1'), 'the schedule is shown');
  await memberPage.getByLabel('Rubrik', { exact: true }).fill('Gratis kulturkort för unga');
  await memberPage.getByLabel('Text (Markdown)').fill('Alla mellan 13 och 19 år får ett **kulturkort**.');
  await memberPage.getByRole('button', { name: 'Föreslå' }).click();
  await memberPage.waitForURL(base + '/assemblies/kulturradet/members');
  const draft = memberPage.locator('article', { hasText: 'Gratis kulturkort för unga' });
  await draft.getByLabel('Ja, anta den').check();
  await draft.getByRole('button', { name: 'Spara min röst' }).click();
  await memberPage.waitForURL(base + '/assemblies/kulturradet/members');
  check(await memberPage.locator('article', { hasText: 'Gratis kulturkort för unga' }).getByLabel('Ja, anta den').isChecked(), 'the vote is saved');
  await memberPage.screenshot({ path: join(screenshotDir, 'assembly-member-mobile.png'), fullPage: true });
  await checkAccessibility(memberPage, 'members page');
  const recs = await api('GET', '/api/v1/assemblies/kulturradet/recommendations', manager);
  check(recs.json.recommendations.some((r) => r.title === 'Gratis kulturkort för unga' && r.votes_so_far.yes === 1), 'the draft and its vote: ' + JSON.stringify(recs.json));

  // The public page of a finished assembly: question, panel, sessions, recommendations, answers.
  const pub = await browser.newPage({ locale: 'sv-SE', viewport: { width: 1280, height: 900 } });
  await pub.goto(base + '/');
  await pub.getByRole('link', { name: 'Stadsrådet 2026' }).click();
  await pub.waitForURL(base + '/assemblies/stadsradet-2026');
  const text = await pub.textContent('main');
  for (const part of ['Hur blir centrum en plats för alla?', 'Rådet', 'Möte 1', 'Fler gröna stråk', 'Bifalls', 'Bifalls delvis', 'Pågår', 'Avgiftsfri parkering', 'Inte antagen'])
    check(text.includes(part), 'the public page shows ' + part);
  const finished = await api('GET', '/api/v1/assemblies/stadsradet-2026/panel', manager);
  for (const m of finished.json.members) {
    for (const personal of [m.name, m.email, m.phone].filter((x) => x)) check(!text.includes(personal), 'no names or contacts on the public page: ' + personal);
  }
  check(finished.json.members.every((m) => m.name && m.phone), 'the demo members have names and phones to look for');
  await pub.screenshot({ path: join(screenshotDir, 'assembly-finished-desktop.png'), fullPage: true });
  await checkAccessibility(pub, 'finished assembly');

  await pub.getByRole('link', { name: 'Protokollet över lottningen och hur du kontrollerar den' }).click();
  await pub.waitForURL(base + '/assemblies/stadsradet-2026/draw');
  const record = await api('GET', '/api/v1/assemblies/stadsradet-2026/draw');
  const drawText = await pub.textContent('main');
  check(drawText.includes(record.json.inputs_sha256) && drawText.includes('ting select'), 'the digest and how to check it');
  for (const p of record.json.panel) check(drawText.includes(p), 'the drawn pseudonym ' + p);
  check(record.json.seat_changes.length === 1, 'the declined seat is on record');
  for (const m of finished.json.members) check(!drawText.includes(m.name), 'no names in the draw record');
  await pub.screenshot({ path: join(screenshotDir, 'assembly-draw-desktop.png'), fullPage: true });
  await checkAccessibility(pub, 'draw record');

  // The manager freezes the open assembly and draws its panel with the forms.
  await admin.goto(base + '/admin/assemblies/klimatradet-2027');
  await admin.getByLabel('Datum för lottningen').fill('2027-03-10 18:00');
  await admin.getByRole('button', { name: 'Lås och publicera' }).click();
  await admin.waitForURL(base + '/admin/assemblies/klimatradet-2027');
  check((await admin.textContent('[role=status]')).includes('låst'), 'frozen: ' + await admin.textContent('main'));
  const frozen = await api('GET', '/api/v1/assemblies/klimatradet-2027');
  check(frozen.json.stage === 'frozen' && (await admin.textContent('main')).includes(frozen.json.inputs_sha256), 'the digest is shown before the draw');
  await checkAccessibility(admin, 'assembly admin page (frozen)');
  await admin.getByLabel('Frö').fill('3 9 14 22 27 35');
  await admin.getByRole('button', { name: 'Lotta rådet' }).click();
  await admin.waitForURL(base + '/assemblies/klimatradet-2027/draw');
  check((await admin.textContent('main')).includes('3 9 14 22 27 35'), 'the record shows the seed');
  const drawn = await api('GET', '/api/v1/assemblies/klimatradet-2027/draw');
  check(drawn.json.panel.length === 8, 'eight seats: ' + JSON.stringify(drawn.json.panel));

  // The manager's page of an assembly with a drawn panel.
  await admin.goto(base + '/admin/assemblies/parkradet');
  check((await admin.textContent('main')).includes('tackat nej'), 'the declined seat is shown to the manager');
  await checkAccessibility(admin, 'assembly admin page (panel)');
});
