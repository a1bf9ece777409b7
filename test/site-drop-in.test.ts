/**
 * Issue 14, item 5: pages of the same guide in their Docusaurus/Hugo Markdown form, dropped into
 * src/content/docs/ with their images beside them, build without a change to the site's
 * configuration; a page with a Hugo shortcode stops the build with file:line and what to write.
 *
 * Builds a scratch copy of the site (config, src/, public/, scripts/, runbooks/) with the pages of
 * test/fixtures/drop-in/pages/ added: a Docusaurus page (sidebar_position, sidebar_label, date,
 * contributors, an image beside it, a localhost link, a `:::tip[…]` box, and a block and a figure
 * with the MetalLB page's step ids but no runbook) and a Hugo page bundle (grafana/index.md: weight,
 * linkTitle, date, lastmod, menu, contributors, an image beside it, a 127.0.0.1 link). The committed
 * reports are read so the MetalLB page in the same build shows its badge and marks (the control).
 * Issue 25: a folder with a Docusaurus `_category_.json` (setup/) holding a page of Docusaurus boxes and
 * a Hugo page (notices, relref, figure, a Hugo-era `<img src="/…">`), rendered without an edit; the
 * links between pages followed in Chromium; a page with what has no equivalent lists every place.
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, loopbackContext } from './helpers/browser.ts';
import { all, attr, blockMarks, figureMarks, first, textOf } from './helpers/html.ts';
import { buildSite, readBuilt, ROOT, type SiteBuild } from './helpers/site-build.ts';
import { serveStatic, type StaticServer } from './helpers/static-server.ts';

const SCRATCH = 'test-results/site-drop-in';
const FIXTURES = join(ROOT, 'test/fixtures/drop-in');

/** A scratch copy of the site with the fixture pages (and `extra` files) dropped into src/content/docs/. */
async function buildWithDropIns(name: string, extra: Record<string, string> = {}): Promise<SiteBuild> {
  const root = join(ROOT, SCRATCH, name);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  for (const entry of ['astro.config.mjs', 'src', 'public', 'scripts', 'runbooks'])
    cpSync(join(ROOT, entry), join(root, entry), { recursive: true });
  cpSync(join(FIXTURES, 'pages'), join(root, 'src/content/docs'), { recursive: true });
  for (const [from, to] of Object.entries(extra)) {
    mkdirSync(dirname(join(root, 'src/content/docs', to)), { recursive: true });
    cpSync(join(FIXTURES, from), join(root, 'src/content/docs', to));
  }
  return buildSite({
    root: `${SCRATCH}/${name}`,
    outDir: `${SCRATCH}/${name}/dist`,
    env: { REPORTS_DIR: join(ROOT, 'reports') },
    inputs: ['reports', 'test/fixtures/drop-in'],
  });
}

afterAll(() => rmSync(join(ROOT, SCRATCH), { recursive: true, force: true }));

describe('Docusaurus and Hugo pages dropped in as they are', () => {
  let build: SiteBuild;
  let docusaurus: string;
  let hugo: string;
  let metallb: string;
  let boxes: string;
  let hugoPage: string;
  let browser: Browser;
  let server: StaticServer;
  beforeAll(async () => {
    // Before the build, so a machine without Chromium fails in seconds.
    browser = await launchChromium();
    // The page the 'missing-link' build refuses, here with the page it links to.
    build = await buildWithDropIns('pages', {
      'broken/missing-link.md': 'appendix/missing-link.md',
      'link-target/setup-nvidia-gpu.md': 'setup-kubernetes/setup-nvidia-gpu.md',
    });
    expect(build.exitCode, `astro build failed:\n${build.log}`).toBe(0);
    docusaurus = readBuilt(build, 'appendix/port-forward/index.html');
    hugo = readBuilt(build, 'appendix/grafana/index.html');
    metallb = readBuilt(build, 'appendix/metallb/index.html');
    boxes = readBuilt(build, 'appendix/setup/docusaurus-boxes/index.html');
    hugoPage = readBuilt(build, 'appendix/setup/hugo-page/index.html');
    server = await serveStatic(build.outDir);
  }, 240_000);
  afterAll(async () => {
    await server?.close();
    await browser?.close();
  });

  it("turns a relative link to another page's file (Docusaurus style) into that page's route, which the built site has", () => {
    const link = first(docusaurus, 'main a[href^="../metallb/"]');
    expect(decodeURIComponent(attr(link, 'href')!)).toBe('../metallb/#요구사항');
    // Followed as a browser would, from the page's own address: the page is there, with that heading.
    const target = new URL(attr(link, 'href')!, 'http://site/appendix/port-forward/');
    expect(target.pathname).toBe('/appendix/metallb/');
    expect(
      all(readBuilt(build, 'appendix/metallb/index.html'), `[id="${decodeURIComponent(target.hash.slice(1))}"]`),
    ).toHaveLength(1);
  });

  it("keeps the link check and lets links to the reader's own machine through", () => {
    expect(build.log).toContain('All internal links are valid.');
    expect(all(docusaurus, 'main a[href="http://localhost:8090"]')).toHaveLength(1);
    expect(all(hugo, 'main a[href="http://127.0.0.1:3000"]')).toHaveLength(1);
  });

  it("renders the images beside each page through Astro's image pipeline", () => {
    const images = [
      first(docusaurus, 'main img[alt="Kubeflow 로그인 화면"]'),
      first(hugo, 'main img[alt="Grafana 로그인 화면"]'),
    ];
    expect(images.map((img) => [attr(img, 'width'), attr(img, 'height')])).toEqual([
      ['160', '90'],
      ['200', '120'],
    ]);
    for (const img of images) {
      const src = attr(img, 'src') ?? '';
      expect(src).toMatch(/^\/_astro\/.+\.webp$/);
      expect(existsSync(join(build.outDir, src)), src).toBe(true);
    }
  });

  it('orders and names them in the sidebar by sidebar_position / weight and sidebar_label / linkTitle, a folder by its _category_.json', () => {
    const appendix = all(metallb, '#starlight__sidebar a[href^="/appendix/"]').map((a) => [
      attr(a, 'href'),
      textOf(a).trim(),
    ]);
    expect(appendix).toEqual([
      // setup/_category_.json: label 설치 준비, position 0 (without it: "setup", after port-forward's 1).
      ['/appendix/setup/docusaurus-boxes/', 'Docusaurus 알림 상자'],
      ['/appendix/setup/hugo-page/', 'Hugo 페이지'],
      ['/appendix/port-forward/', '포트 포워딩'],
      ['/appendix/grafana/', 'Grafana'],
      ['/appendix/metallb/', '2. bare-metal 클러스터용 load balancer metallb 설치'],
      ['/appendix/metallb-v0-16/', '2-1. 최신 Kubernetes 에서 MetalLB v0.16.1 설치 (IPAddressPool)'],
      ['/appendix/missing-link/', '없는 페이지로 가는 링크'],
    ]);
    const groups = all(metallb, '#starlight__sidebar summary .large').map((label) => textOf(label).trim());
    // grafana/ (a Hugo page bundle) has no _category_.json: Starlight's folder name, as before.
    expect(groups).toEqual(['부록', '설치 준비', 'grafana']);
    // The previous/next links at the foot follow the same order.
    expect(
      [boxes, hugoPage].map((page) => [
        attr(first(page, 'a[rel="prev"]'), 'href'),
        attr(first(page, 'a[rel="next"]'), 'href'),
      ]),
    ).toEqual([
      ['/', '/appendix/setup/hugo-page/'],
      ['/appendix/setup/docusaurus-boxes/', '/appendix/port-forward/'],
    ]);
  });

  it('shows lastmod, else date, as the last update; a page with neither shows none', () => {
    expect(attr(first(hugo, 'time'), 'datetime')).toBe('2024-04-20T00:00:00.000Z');
    expect(attr(first(docusaurus, 'time'), 'datetime')).toBe('2024-03-15T00:00:00.000Z');
    expect(textOf(first(docusaurus, 'p:has(> time)'))).toContain('마지막 업데이트');
    expect(first(metallb, 'time')).toBeUndefined();
  });

  it('renders a Docusaurus 3 box with its title (:::tip[Title] is Starlight syntax too)', () => {
    const aside = first(docusaurus, 'aside.starlight-aside--tip');
    expect(textOf(first(aside, '.starlight-aside__title')).trim()).toBe('포트가 이미 쓰이고 있다면');
  });

  it('renders Docusaurus boxes as Starlight asides (info → note, warning → caution, both title forms)', () => {
    const asides = all(boxes, 'main aside.starlight-aside').map((aside) => [
      attr(aside, 'class'),
      textOf(first(aside, '.starlight-aside__title')).trim(),
      textOf(first(aside, '.starlight-aside__content')).trim(),
    ]);
    expect(asides).toEqual([
      ['starlight-aside starlight-aside--note', '참고', 'Docusaurus 의 info 상자입니다.'],
      ['starlight-aside starlight-aside--caution', '주의', 'Docusaurus 의 warning 상자입니다.'],
      ['starlight-aside starlight-aside--tip', '포트가 이미 쓰이고 있다면', 'Docusaurus 2 의 제목 문법입니다.'],
      ['starlight-aside starlight-aside--danger', '되돌릴 수 없습니다', 'Docusaurus 3 의 제목 문법입니다.'],
    ]);
    expect(textOf(first(boxes, 'main .sl-markdown-content'))).not.toContain(':::');
  });

  it('renders a Hugo page\'s notices, relref and figure as asides, a link and a figure; its <img src="/…"> from public/', () => {
    const asides = all(hugoPage, 'main aside.starlight-aside');
    expect(asides.map((aside) => attr(aside, 'class'))).toEqual([
      'starlight-aside starlight-aside--note',
      'starlight-aside starlight-aside--caution',
    ]);
    expect(attr(first(asides[0], 'a'), 'href')).toBe('../../port-forward/');
    expect(textOf(first(asides[1], '.starlight-aside__title')).trim()).toBe('조심하세요');
    const figure = first(hugoPage, 'main figure:has(> img[alt="네트워크 구성도"])');
    expect(attr(first(figure, 'img'), 'src')).toMatch(/^\/_astro\/topology\..+\.webp$/);
    expect(textOf(first(figure, 'figcaption'))).toBe('MetalLB 가 주소를 나눠 주는 네트워크');
    expect(attr(first(hugoPage, 'main img[alt="사이트 아이콘"]'), 'src')).toBe('/favicon.svg');
    expect(attr(first(hugoPage, 'main a[href^="../docusaurus-boxes/"]'), 'href')).toBe('../docusaurus-boxes/');
    expect(textOf(first(hugoPage, 'main .sl-markdown-content'))).not.toMatch(/\{\{|\}\}/);
  });

  it('follows the links between pages in Chromium: each opens the page it names', async () => {
    const { context, blocked } = await loopbackContext(browser, server.origin);
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}appendix/port-forward/`);
      await page.locator('main a[href^="../metallb/"]').click();
      await page.waitForURL('**/appendix/metallb/**');
      expect(decodeURIComponent(new URL(page.url()).pathname + new URL(page.url()).hash)).toBe(
        '/appendix/metallb/#요구사항',
      );
      await expect.poll(() => page.locator('h1').first().textContent()).toContain('metallb');
      expect((await page.request.get(page.url())).status()).toBe(200);

      // The page the 'missing-link' build refuses, now with its target present.
      await page.goto(`${server.url}appendix/missing-link/`);
      await page.locator('main a', { hasText: '다른 장' }).click();
      await page.waitForURL('**/setup-kubernetes/setup-nvidia-gpu/');
      expect(await page.locator('h1').first().textContent()).toBe('NVIDIA GPU 설정');

      await page.goto(`${server.url}appendix/setup/docusaurus-boxes/`);
      await page.screenshot({ path: join(ROOT, 'test-results/site-drop-in-boxes.png'), fullPage: true });
      await page.goto(`${server.url}appendix/setup/hugo-page/`);
      await page.screenshot({ path: join(ROOT, 'test-results/site-drop-in-hugo-page.png'), fullPage: true });
      await page.locator('main aside a', { hasText: '포트 포워딩' }).click();
      await page.waitForURL('**/appendix/port-forward/');
      expect(await page.locator('h1').first().textContent()).toBe('Kubeflow 대시보드 포트 포워딩');
      expect(blocked).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("claims nothing on a page without a runbook, even with the MetalLB page's step ids; the MetalLB page keeps its badge and marks", () => {
    expect(all(docusaurus, 'figure.frame[data-step="strict-arp/check"]')).toHaveLength(1);
    expect(all(docusaurus, 'figure.screenshot[data-step="istio/browser"]')).toHaveLength(1);
    for (const page of [docusaurus, hugo]) {
      expect(all(page, '.vbadge')).toEqual([]);
      expect(blockMarks(page)).toEqual([]);
      expect(figureMarks(page)).toEqual([]);
      expect(all(page, '.step-mark, .step-block, [data-status]')).toEqual([]);
    }
    expect(all(metallb, '.vbadge')).toHaveLength(1);
    expect(blockMarks(metallb).map((m) => m.element)).toContain('strict-arp/check');
    expect(figureMarks(metallb).map((m) => m.element)).toContain('istio/browser');
  });
});

it('stops the build at a link to a page the site does not have, with file:line', async () => {
  const build = await buildWithDropIns('missing-link', { 'broken/missing-link.md': 'appendix/missing-link.md' });
  expect(build.exitCode).not.toBe(0);
  expect(build.log).toContain(
    'src/content/docs/appendix/missing-link.md:5: 링크 ../setup-kubernetes/setup-nvidia-gpu.md 가 가리키는 페이지 src/content/docs/setup-kubernetes/setup-nvidia-gpu.md 가 사이트에 없습니다. 그 페이지를 src/content/docs 아래에 넣거나 링크를 고치세요.',
  );
}, 180_000);

it('stops the build where the page has no equivalent, a missing page or a missing image, every place with file:line', async () => {
  const build = await buildWithDropIns('broken', { 'broken/hugo-shortcodes.md': 'appendix/hugo-shortcodes.md' });
  expect(build.exitCode).not.toBe(0);
  const file = 'src/content/docs/appendix/hugo-shortcodes.md';
  expect(build.log).toContain(`${file}: 이 사이트(Astro + Starlight)에서 동작하지 않는 곳이 4곳 있습니다.`);
  expect(build.log).toContain(`${file}:8  {{< tabs >}}`);
  expect(build.log).toContain(`${file}:10  {{< /tabs >}}`);
  expect(build.log).toContain('대신 이렇게 쓰세요: </Tabs>');
  expect(build.log).toContain(`${file}:26  {{< ref "../setup-kubernetes/setup-nvidia-gpu.md" >}}`);
  expect(build.log).toContain('가리키는 페이지 ../setup-kubernetes/setup-nvidia-gpu.md 가 사이트에 없습니다');
  expect(build.log).toContain(`${file}:28  <img src="/images/topology.png">`);
  expect(build.log).toContain(
    '그림을 public/images/topology.png 에 두거나, 페이지 옆 src/content/docs/appendix/topology.png 에 두고 src 를 ./topology.png 로 바꾸세요',
  );
  // Rendered as Starlight asides (lines 12, 14, 22) or shown as code (16, 19): not listed.
  expect(build.log).not.toMatch(new RegExp(`${file}:(12|14|16|19|22)\\b`));
  expect(existsSync(join(build.outDir, 'appendix/hugo-shortcodes/index.html'))).toBe(false);
}, 180_000);
