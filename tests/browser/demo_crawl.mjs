// Every page of the demo in one language, signed out, as a resident and as an admin, the way a
// visitor finds them: by following the links from the start page. Each page must answer 200,
// (or 401 with the sign-in form, 403 saying why), carry the language (and its direction), have no axe-core violation of WCAG 2.1 A or AA, and
// work with JavaScript off: the crawl itself runs with JavaScript disabled, so every page is
// reached through plain links; axe (which needs JavaScript) checks each page in a second tab.
import { join } from 'node:path';
import { check, checkAccessibility, freshDb, runScenario, screenshotDir, ting } from './harness.mjs';

// Pages of one kind (a proposal, a project, a meeting) look the same for every id: two of each.
const kPerPattern = 2;
const kMaxPages = 140;
// Not pages: downloads, and links that end the session.
const kSkip = [/\.csv(\?|$)/, /\.pb(\?|$)/, /\.pdf(\?|$)/, /\/documents\//, /\/images\//, /\/uploads\//, /^\/static\//, /\/letters(\?|$)/,
  /\/codes(\.|\?|$)/, /\/panel\.csv/, /\/export/];

function pattern(path) {
  return path.replace(/\?.*$/, '').split('/').map((s) => (/^\d+$/.test(s) || /^[0-9a-f]{16,}$/.test(s) ? '{id}' : s)).join('/');
}

export function crawlDemo(lang) {
  const db = freshDb('demo.db');
  const out = ting(['demo', '--db', db]);
  const login = (role) => {
    const m = out.match(new RegExp(`^\\s*${role}: (\\S+) / (\\S+)$`, 'm'));
    if (!m) throw new Error(`no ${role} login in the demo's output`);
    return { email: m[1], password: m[2] };
  };
  const locale = lang === 'sv' ? 'sv-SE' : lang;
  const dir = lang === 'ar' || lang === 'fa' ? 'rtl' : 'ltr';

  return runScenario(`demo pages (${lang})`, db, async ({ browser, base }) => {
    const problems = [];
    let total = 0;
    for (const role of [null, 'resident', 'admin']) {
      const open = async (javaScriptEnabled) => {
        const context = await browser.newContext({ locale, javaScriptEnabled, viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        if (role) {
          const { email, password } = login(role);
          await page.goto(base + '/sign-in');
          await page.fill('form[action^="/sign-in"] input[name="email"]', email);
          await page.fill('form[action^="/sign-in"] input[name="password"]', password);
          await page.click('form[action^="/sign-in"] button[type="submit"]');
          await page.waitForLoadState();
          check(!page.url().includes('/sign-in'), `${role} signs in (at ${page.url()})`);
          // The demo's people chose Swedish: they change it in the menu, as anyone would.
          if (await page.getAttribute('html', 'lang') !== lang) {
            await page.selectOption('#language-select', lang);
            await page.click('form.language button[type="submit"]');
            await page.waitForLoadState();
          }
        }
        return { context, page };
      };
      const { context, page } = await open(false);
      const axeTab = await open(true);
      const seen = new Set();
      const perPattern = new Map();
      const queue = ['/'];
      let visited = 0;
      while (queue.length && visited < kMaxPages) {
        const path = queue.shift();
        const response = await page.goto(base + path);
        ++visited;
        const where = `${role || 'signed out'} ${path}`;
        // A page may answer 401 (its sign-in form) or 403 (why not: another district's ballot);
        // those are pages too, checked like the others, but the crawl goes on from 200s only.
        const status = response ? response.status() : 0;
        if (status !== 200 && status !== 401 && status !== 403) {
          problems.push(`${where}: status ${status}`);
          continue;
        }
        if (!(response.headers()['content-type'] || '').startsWith('text/html')) continue;
        const htmlLang = await page.getAttribute('html', 'lang');
        const htmlDir = await page.getAttribute('html', 'dir');
        if (htmlLang !== lang) problems.push(`${where}: lang="${htmlLang}"`);
        if (htmlDir !== dir) problems.push(`${where}: dir="${htmlDir}"`);
        if (await page.locator('main h1').count() === 0) problems.push(`${where}: no heading in main`);
        await axeTab.page.goto(base + path);
        try {
          await checkAccessibility(axeTab.page, where);
        } catch (e) {
          problems.push(e.message);
        }
        if (path === '/' || path.startsWith('/processes/medborgarbudget-2026/inclusion')) {
          await page.screenshot({ path: join(screenshotDir, `demo-${lang}-${role || 'public'}${path.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true });
        }
        if (status !== 200) continue;
        const links = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
        for (const href of links) {
          if (!href || !href.startsWith('/') || href.startsWith('//')) continue;
          const target = href.replace(/#.*$/, '');
          if (!target || seen.has(target) || kSkip.some((re) => re.test(target))) continue;
          seen.add(target);
          const p = pattern(target);
          const n = perPattern.get(p) || 0;
          if (n >= kPerPattern) continue;
          perPattern.set(p, n + 1);
          queue.push(target);
        }
      }
      total += visited;
      console.log(`${lang}, ${role || 'signed out'}: ${visited} pages`);
      await context.close();
      await axeTab.context.close();
    }
    check(total > 60, `the crawl reached the demo's pages: ${total}`);
    if (problems.length) throw new Error(`${problems.length} problems:\n  ` + problems.join('\n  '));
  });
}
