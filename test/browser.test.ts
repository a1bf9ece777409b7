/**
 * The built MetalLB page in a real browser (Debian's headless Chromium, loopback only):
 * Korean rendering, highlighted code, the copy button, Korean search, and a full-page screenshot;
 * then the verification results (issue 5): the badge and a passed mark from the committed report,
 * a failed mark from a site built from a fresh failing run, and the 검증 현황 pages.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPage } from '../scripts/model/page.ts';
import { launchChromium, loopbackContext } from './helpers/browser.ts';
import { PROVIDER_LABEL, resultLine } from '../src/lib/verification/labels.ts';
import { loadVerification, type PageVerification } from '../src/lib/verification/reports.ts';
import { buildFromReports, downSandbox, freshReports, type FreshReports } from './helpers/fresh-reports.ts';
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
  // First: without Chromium this file fails in seconds with the install hint, before any build.
  browser = await launchChromium();
  const build = await buildSite();
  expect(build.exitCode, `astro build failed:\n${build.log}`).toBe(0);
  server = await serveStatic(build.outDir);
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
    await expect
      .poll(() => results.evaluateAll((links) => links.map((a) => a.getAttribute('href'))), { timeout: 10_000 })
      .toContainEqual(expect.stringMatching(/\/appendix\/metallb\//));
    // The search UI speaks Korean too (src/content/i18n/ko.json).
    expect(await page.locator('#starlight__search .pagefind-ui__message').innerText()).toMatch(
      new RegExp(`^${word}에 대한 결과 \\d+건$`),
    );
    await page.keyboard.press('Escape');
  });

  it('finds nothing for a word that is not on any page (search is not matching everything)', async () => {
    await page.getByRole('button', { name: '검색' }).first().click();
    await page.locator('#starlight__search input').fill('펭귄');
    await expect
      .poll(() => page.locator('#starlight__search .pagefind-ui__message').innerText(), { timeout: 10_000 })
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

describe('verification results in Chromium', () => {
  const shot = (name: string) => join(ROOT, `test-results/${name}.png`);
  let failing: StaticServer;
  let fresh: FreshReports;

  beforeAll(async () => {
    fresh = await freshReports();
    const build = await buildFromReports('failing', fresh.fail);
    expect(build.exitCode, `astro build failed:\n${build.log}`).toBe(0);
    failing = await serveStatic(build.outDir);
    await page.goto(`${server.url}appendix/metallb/`, { waitUntil: 'networkidle' });
  }, 60 * 60_000);

  afterAll(async () => {
    await failing?.close();
    await downSandbox();
  }, 120_000);

  // The committed reports (reports/), as the default build reads them.
  let committed: PageVerification;
  beforeAll(async () => {
    committed = (await loadVerification({ root: ROOT, reportsDir: 'reports' })).forPage(
      'src/content/docs/appendix/metallb.md',
    )!;
  });

  it('shows the badge under the title: result, date, provider, Kubernetes and MetalLB versions, the other version', async () => {
    const badge = page.getByRole('region', { name: '검증 상태' });
    expect(await badge.isVisible()).toBe(true);
    const text = await badge.innerText();
    expect(text).toMatch(/검증 통과\s+20\d\d-\d\d-\d\d \d\d:\d\d KST/);
    for (const part of [
      'Kubernetes v1.37.0',
      'MetalLB v0.11.0',
      PROVIDER_LABEL[committed.versions[0]!.report!.provider],
    ])
      expect(text).toContain(part);
    for (const other of committed.versions.slice(1))
      expect(text).toContain(`Kubernetes ${other.minor}: ${resultLine(other)}`);
    const title = await page.locator('h1').boundingBox();
    const box = await badge.boundingBox();
    expect(box!.y).toBeGreaterThan(title!.y + title!.height - 1);
    await page.evaluate(() => window.scrollTo(0, 0));
    await badge.screenshot({ path: shot('metallb-badge') });
  });

  it('shows a passed mark under a block, outside the code, not selectable', async () => {
    // config/apply compares the page's output with the cluster's: a ✓ on every provider (strictARP is a stand-in where the sandbox seeded the ConfigMap).
    const block = page.locator('.step-block:has([data-step="config/apply"])');
    const mark = block.locator('.step-mark');
    expect(await mark.innerText()).toMatch(/통과/);
    const code = await block.locator('figure.frame').boundingBox();
    const tag = await mark.boundingBox();
    expect(tag!.y).toBeGreaterThanOrEqual(code!.y + code!.height);
    expect(await mark.locator('.step-mark-line').evaluate((el) => getComputedStyle(el).userSelect)).toBe('none');
    await block.screenshot({ path: shot('metallb-passed-mark') });
  });

  it('selecting a whole block and its mark copies only the code', async () => {
    const block = page.locator('.step-block:has([data-step="strict-arp/check"])');
    const selected = await block.evaluate((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      const selection = window.getSelection()!;
      selection.removeAllRanges();
      selection.addRange(range);
      return selection.toString();
    });
    expect(selected).not.toContain('통과');
  });

  it('shows a failed mark whose details open on click with expected versus actual, and the copy button still copies the command', async () => {
    const failedPage = await context.newPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: failing.origin });
    await failedPage.route('**/*', (route) =>
      route.request().url().startsWith(`${failing.origin}/`) ? route.continue() : route.abort(),
    );
    await failedPage.goto(`${failing.url}appendix/metallb/`, { waitUntil: 'networkidle' });
    const step = fresh.failed.steps.find((s) => s.id === 'istio/get-after')!;
    const mark = failedPage.locator('.step-block:has([data-step="istio/get-after-output"]) details.step-mark');
    expect(await mark.locator('pre').first().isVisible()).toBe(false);
    await mark.locator('summary').click();
    const pres = mark.locator('pre.step-mark-output');
    await expect.poll(() => pres.first().isVisible()).toBe(true);
    expect(await pres.allInnerTexts()).toEqual([step.expected, step.actual]);
    expect(await mark.innerText()).toContain('기대한 출력 (페이지)');
    expect(await mark.innerText()).toContain('실제 출력 (클러스터)');
    await mark.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await failedPage
      .locator('.step-block:has([data-step="istio/get-after"])')
      .screenshot({ path: shot('metallb-failed-command') });
    await failedPage
      .locator('.step-block:has([data-step="istio/get-after-output"])')
      .screenshot({ path: shot('metallb-failed-mark') });

    const command = failedPage.locator('[data-step="istio/get-after"]');
    await command.hover();
    await command.getByRole('button', { name: '클립보드로 복사' }).click();
    await expect
      .poll(() => failedPage.evaluate(() => navigator.clipboard.readText()))
      .toBe(metallb.blocks.find((b) => b.id === 'istio/get-after')?.code);
    await failedPage.close();
  });

  it('links the 검증 현황 table to the details of each version', async () => {
    await page.getByRole('link', { name: '검증 현황' }).first().click();
    await page.waitForURL(/\/verification\/$/);
    expect(await page.locator('h1').innerText()).toBe('검증 현황');
    await page.screenshot({ path: shot('verification'), fullPage: true });
    for (const { minor, report } of committed.versions) {
      await page.locator(`tr[data-runbook="metallb"] td[data-minor="${minor}"] a`).click();
      await page.waitForURL(new RegExp(`/verification/metallb/${minor.replace('.', '\\.')}/$`));
      expect(await page.locator('.vstep').count()).toBe(report?.steps.length ?? 0);
      expect(await page.locator('.vstep').first().isVisible()).toBe(report !== undefined);
      if (minor === committed.versions[0]?.minor) await page.screenshot({ path: shot(`verification-${minor}`) });
      await page.goBack();
    }
    expect(failed).toEqual([]);
  });

  it('says a version has no record yet when there is no report for it (site built from the fresh 1.37 run only)', async () => {
    const other = await context.newPage();
    await other.route('**/*', (route) =>
      route.request().url().startsWith(`${failing.origin}/`) ? route.continue() : route.abort(),
    );
    await other.goto(`${failing.url}verification/`, { waitUntil: 'networkidle' });
    expect(await other.locator('tr[data-runbook="metallb"] td[data-minor="1.24"]').innerText()).toBe(
      '아직 검증 기록이 없습니다',
    );
    await other.locator('tr[data-runbook="metallb"] td[data-minor="1.24"] a').click();
    await other.waitForURL(/\/verification\/metallb\/1\.24\/$/);
    expect(await other.locator('.vrun-missing').innerText()).toContain('아직 검증 기록이 없습니다');
    await other.close();
  });
});
