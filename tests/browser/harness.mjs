// Shared by the browser tests: start the real `ting serve` on a free port with a fresh
// database, and launch Debian's chromium through playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const tingBinary = process.env.TING_BIN;
export const screenshotDir = process.env.TING_SCREENSHOTS;

export function freshDb(name) {
  return join(mkdtempSync(join(tmpdir(), 'ting-browser-')), name);
}

export function ting(args) {
  const r = spawnSync(tingBinary, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ting ${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

export async function startServer(db, extraArgs = []) {
  const proc = spawn(tingBinary, ['serve', '--db', db, '--listen', '127.0.0.1:0', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stderr.on('data', () => {});
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start: ' + out)), 20000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return { proc, base: `http://127.0.0.1:${port}` };
}

export async function launchBrowser() {
  mkdirSync(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

// Runs axe-core (WCAG 2.1 A and AA rules) on the page as it is now; throws listing every
// violation with the elements it found.
// Evaluated through the DevTools protocol, which the pages' CSP (no inline script) does not stop.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export async function checkAccessibility(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const problems = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  if (problems.length) throw new Error(`accessibility (${name}):\n  ` + problems.join('\n  '));
}

// A new Swedish page, signed in through the sign-in form; it ends on next (default the start page).
export async function signIn(browser, base, email, password, { next = '/', viewport = { width: 390, height: 844 } } = {}) {
  const page = await browser.newPage({ locale: 'sv-SE', viewport });
  await page.goto(base + '/sign-in?next=' + encodeURIComponent(next));
  await page.getByLabel('E-postadress').fill(email);
  await page.getByLabel('Lösenord').fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL(base + next);
  return page;
}

// The test SMTP server (tests/fixtures/smtp_server.py, Debian's aiosmtpd) writing into dir;
// resolves to { proc, port }. It exits with this process.
export async function startSmtp(dir) {
  const script = new URL('../fixtures/smtp_server.py', import.meta.url).pathname;
  const proc = spawn('/usr/bin/python3', [script, '--dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('smtp server did not start: ' + out + err)), 20000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/PORT (\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
  });
  return { proc, port };
}

// The plain-text part of every message the test SMTP server received in dir, oldest first,
// with its recipients: [{ to: [...], text }]. Waits up to timeoutMs for at least n.
export async function mails(dir, n = 1, timeoutMs = 10000) {
  const read = () => readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const envelope = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const raw = readFileSync(join(dir, f.replace(/\.json$/, '.eml')), 'utf8');
    const part = raw.split(/Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n/)[1] || '';
    const text = Buffer.from(part.split('\r\n--')[0].replace(/\s+/g, ''), 'base64').toString('utf8');
    return { to: envelope.to, text };
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const got = existsSync(dir) ? read() : [];
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  return existsSync(dir) ? read() : [];
}

export function check(condition, message) {
  if (!condition) throw new Error('check failed: ' + message);
}

// Runs one scenario against a fresh server on db: body({ browser, base }) throws to fail.
// Always closes the browser and stops the server; exits the process with the outcome.
// extraArgs go to `ting serve` (e.g. ['--config', file]).
export async function runScenario(name, db, body, extraArgs = []) {
  const { proc, base } = await startServer(db, extraArgs);
  let browser;
  let failed = false;
  try {
    browser = await launchBrowser();
    await body({ browser, base });
    console.log(`browser ${name}: ok; screenshots in ${screenshotDir}`);
  } catch (e) {
    failed = true;
    console.error(`browser ${name}: FAILED`, e);
  } finally {
    if (browser) await browser.close();
    proc.kill('SIGTERM');
  }
  process.exit(failed ? 1 : 0);
}
