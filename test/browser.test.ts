/**
 * The built MetalLB page in a real browser (Debian's headless Chromium, loopback only):
 * Korean rendering, highlighted code, the copy button, Korean search, and a full-page screenshot.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPage } from '../scripts/lib/page.ts';
import { launchChromium, loopbackContext } from './helpers/browser.ts';
import { buildSite, ROOT } from './helpers/site-build.ts';
import { serveStatic, type StaticServer } from './helpers/static-server.ts';

const SCREENSHOT = join(ROOT, 'test-results/metallb.png');
const metallb = readPage('src/content/docs/appendix/metallb.md', ROOT);

let server: StaticServer;
let browser: Browser;
let context: BrowserContext;
let blocked: string[];
let page: Page;
const failed: string[] = [];

beforeAll(async () => {
  const build = await buildSite();
  expect(build.exitCode, `astro build failed:\n${build.log}`).toBe(0);
  server = await serveStatic(build.outDir);
  browser = await launchChromium();
  ({ context, blocked } = await loopbackContext(browser, server.origin));
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
  page = await context.newPage();
  page.on('response', (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(`${server.url}appendix/metallb/`, { waitUntil: 'networkidle' });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the MetalLB page in Chromium', () => {
  it('renders in Korean', async () => {
    expect(await page.getAttribute('html', 'lang')).toBe('ko');
    await expect.poll(() => page.locator('h1').innerText()).toBe('2. bare-metal 클러스터용 load balancer metallb 설치');
    expect(await page.getByRole('heading', { name: 'MetalLB란?' }).isVisible()).toBe(true);
    expect(await page.locator('starlight-toc h2').innerText()).toBe('목차');
  });

  it('highlights code: the tokens of a command have different colours', async () => {
    const colours = await page
      .locator('[data-step="strict-arp/apply"] .ec-line span')
      .evaluateAll((spans) => [...new Set(spans.map((s) => getComputedStyle(s).color))]);
    expect(colours.length).toBeGreaterThanOrEqual(3);
  });

  it('copies exactly the strict-arp/check command with the copy button', async () => {
    const block = page.locator('[data-step="strict-arp/check"]');
    await block.hover();
    await block.getByRole('button', { name: '클립보드로 복사' }).click();
    await expect.poll(() => block.locator('.feedback').innerText()).toBe('복사 완료!');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(metallb.blocks.find((b) => b.id === 'strict-arp/check')?.code);
  });

  it.each(['스피커', '컨트롤러', 'strictARP'])('finds the MetalLB page when searching for %s', async (word) => {
    await page.getByRole('button', { name: '검색' }).first().click();
    const input = page.locator('#starlight__search input');
    await input.fill(word);
    const results = page.locator('#starlight__search .pagefind-ui__result-link');
    await expect.poll(() => results.evaluateAll((links) => links.map((a) => a.getAttribute('href'))), { timeout: 10_000 })
      .toContainEqual(expect.stringMatching(/\/appendix\/metallb\//));
    // The search UI speaks Korean too (src/content/i18n/ko.json).
    expect(await page.locator('#starlight__search .pagefind-ui__message').innerText()).toMatch(new RegExp(`^${word}에 대한 결과 \\d+건$`));
    await page.keyboard.press('Escape');
  });

  it('finds nothing for a word that is not on any page (search is not matching everything)', async () => {
    await page.getByRole('button', { name: '검색' }).first().click();
    await page.locator('#starlight__search input').fill('펭귄');
    await expect.poll(() => page.locator('#starlight__search .pagefind-ui__message').innerText(), { timeout: 10_000 })
      .toBe('펭귄에 대한 결과 없음');
    expect(await page.locator('#starlight__search .pagefind-ui__result-link').count()).toBe(0);
    await page.keyboard.press('Escape');
  });

  it('shows the screenshot placeholders as boxes with captions', async () => {
    const figure = page.locator('figure.screenshot[data-step="istio/browser"]');
    const box = await figure.locator('.screenshot-placeholder').boundingBox();
    expect(box?.height).toBeGreaterThan(100);
    expect(await figure.locator('.screenshot-placeholder').innerText()).toBe('스크린샷 준비 중');
    expect(await figure.locator('figcaption').isVisible()).toBe(true);
  });

  it('asks nothing of the internet (no web fonts, no CDN) and every local request succeeds', () => {
    expect(blocked).toEqual([]);
    expect(failed).toEqual([]);
  });

  it('saves a full-page screenshot', async () => {
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    // Fixed header and sidebar are painted at the current scroll offset: start from the top.
    await page.evaluate(async () => {
      window.scrollTo(0, 0);
      await document.fonts.ready;
    });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });
});
