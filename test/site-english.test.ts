/**
 * The English MetalLB page in the built site, in Chromium: its own language (`<html lang="en">`,
 * Starlight's English interface, the badge and marks in English, from the Korean page's runs), its
 * own search index (an English word on /en/ finds English pages only; Korean search stays Korean),
 * and Starlight's language switcher between the two pages. A screenshot of the first screen is kept.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, loopbackContext } from './helpers/browser.ts';
import { buildSite, ROOT } from './helpers/site-build.ts';
import { serveStatic, type StaticServer } from './helpers/static-server.ts';

let server: StaticServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  const build = await buildSite();
  expect(build.exitCode, `astro build failed:\n${build.log}`).toBe(0);
  server = await serveStatic(build.outDir);
  const { context } = await loopbackContext(browser, server.origin);
  page = await context.newPage();
  await page.goto(`${server.url}en/appendix/metallb/`, { waitUntil: 'networkidle' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The result links the site search shows for `word` on the page open now. */
async function search(word: string): Promise<string[]> {
  await page
    .getByRole('button', { name: /search|검색/i })
    .first()
    .click();
  const input = page.locator('#starlight__search input');
  await input.fill(word);
  const results = page.locator('#starlight__search .pagefind-ui__result-link');
  // Done when the message counts the results ("N results for …", "… 결과 N건"), not "Searching for …".
  const message = page.locator('#starlight__search .pagefind-ui__message');
  await expect.poll(() => message.innerText().catch(() => ''), { timeout: 20_000 }).toMatch(/\d/);
  await expect.poll(() => results.count(), { timeout: 20_000 }).toBeGreaterThan(0);
  return results.evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
}

describe('the English MetalLB page in Chromium', () => {
  it('is in English: <html lang>, title, Starlight interface, badge and marks', async () => {
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('h1').innerText()).toBe('2. Installing MetalLB, a load balancer for bare-metal clusters');
    expect(await page.locator('starlight-toc h2').innerText()).toBe('On this page');
    expect(await page.locator('section.vbadge').getAttribute('aria-label')).toBe('Verification status');
    expect(await page.locator('.vbadge-translation').innerText()).toMatch(
      /^These marks come from the runs of the Korean page\./,
    );
    const mark = page.locator('[data-mark-for="strict-arp/check"]').first();
    expect(await mark.locator('.step-mark-label').innerText()).toMatch(
      /^(Passed|Changed since verified|Failed|Checked against a stand-in)$/,
    );
    // Korean prose rules (word-break: keep-all) are for Korean text only.
    expect(
      await page
        .locator('.sl-markdown-content p')
        .first()
        .evaluate((p) => getComputedStyle(p).wordBreak),
    ).toBe('normal');
    // The first screen: title, badge, sidebar and language picker.
    await page.screenshot({ path: join(ROOT, 'test-results/metallb-en.png') });
  });

  it('shows the same marks as the Korean page (same runs, same blocks)', async () => {
    const marks = (p: Page) =>
      p
        .locator('.step-mark')
        .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-mark-for')} ${e.getAttribute('data-status')}`));
    const korean = await page.context().newPage();
    await korean.goto(`${server.url}appendix/metallb/`);
    const ko = await marks(korean);
    expect(ko.length).toBeGreaterThan(30);
    expect(await marks(page)).toEqual(ko);
    await korean.close();
  });

  it('searches the English pages only, in English', async () => {
    const found = await search('balancer');
    expect(found).toContain('/en/appendix/metallb/');
    expect(
      found.every((p) => p.startsWith('/en/')),
      found.join(', '),
    ).toBe(true);
    expect(await page.locator('#starlight__search .pagefind-ui__message').innerText()).toMatch(
      /results? for balancer$/,
    );
    await page.keyboard.press('Escape');
  });

  it('is listed on 검증 현황 under the Korean page, as its translation, not as a runbook of its own', async () => {
    const overview = await page.context().newPage();
    await overview.goto(`${server.url}verification/`);
    expect(await overview.locator('tr[data-runbook="metallb"]').count()).toBe(1);
    const row = overview.locator('tr[data-translation-of="metallb"]');
    expect(await row.getAttribute('data-lang')).toBe('en');
    expect(await row.locator('th').innerText()).toBe(
      '영어 번역: 2. Installing MetalLB, a load balancer for bare-metal clusters',
    );
    expect(await overview.locator('tr[data-runbook="metallb"] + tr').getAttribute('data-translation-of')).toBe(
      'metallb',
    );
    await overview.close();
  });

  it('switches to the Korean page with the language picker, where search stays Korean', async () => {
    await page.locator('starlight-lang-select select').first().selectOption({ label: '한국어' });
    await page.waitForURL(`${server.url}appendix/metallb/`);
    expect(await page.getAttribute('html', 'lang')).toBe('ko');
    const found = await search('밸런서');
    expect(found).toContain('/appendix/metallb/');
    expect(
      found.some((p) => p.startsWith('/en/')),
      found.join(', '),
    ).toBe(false);
    expect(await page.locator('#starlight__search .pagefind-ui__message').innerText()).toMatch(
      /^밸런서에 대한 결과 \d+건$/,
    );
  });
});
