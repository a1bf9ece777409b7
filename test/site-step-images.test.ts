/**
 * A screenshot written as a Markdown image with its step id in the title (`![…](./img/x.png "… step=id")`)
 * gets the mark a `<figure data-step="id">` gets, and `step=…` never shows as a tooltip.
 *
 * Builds a scratch copy of the site (with go/ and the lockfile, so the code fingerprint is the
 * project's) from the committed reports, where the MetalLB page and its English translation write
 * their istio/browser figure as such an image (alt: the figure's caption, so what the reader is told
 * to see is unchanged), plus a page without a runbook with a step= image. The expected marks are the
 * ones the site gives the figures of the pages as committed (the same verdict, computed here).
 * The image and its mark are also looked at once in Chromium.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { toHtml } from '@astrojs/starlight/expressive-code/hast';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detailsPath, withBase, wordsFor } from '../src/lib/verification/labels.ts';
import { markElement } from '../src/lib/verification/mark-element.ts';
import { loadVerification } from '../src/lib/verification/reports.ts';
import { launchChromium, loopbackContext } from './helpers/browser.ts';
import { all, attr, figureMarks, first } from './helpers/html.ts';
import { buildSite, readBuilt, ROOT, type SiteBuild } from './helpers/site-build.ts';
import { serveStatic, type StaticServer } from './helpers/static-server.ts';

const SCRATCH = 'test-results/site-step-images';
const SITE = join(ROOT, SCRATCH, 'site');
const SCREENSHOT = join(ROOT, 'test-results/step-image-mark.png');
const IMAGE = join(ROOT, 'test/fixtures/drop-in/pages/appendix/port-forward.png');
const STEP = 'istio/browser';
const PAGES = { ko: 'src/content/docs/appendix/metallb.md', en: 'src/content/docs/en/appendix/metallb.md' } as const;
const BUILT = { ko: 'appendix/metallb/index.html', en: 'en/appendix/metallb/index.html' } as const;
const TITLE = { ko: 'Kubeflow 로그인', en: 'Kubeflow login' } as const;
const FIGURE = new RegExp(
  `<figure class="screenshot" data-step="${STEP}">[\\s\\S]*?<figcaption>([\\s\\S]*?)</figcaption>\\s*</figure>`,
);

/** The page with its istio/browser figure written as a Markdown image of `./img/istio-login.png`, titled `words step=…`. */
function withImage(source: string, words: string): string {
  const caption = FIGURE.exec(source)?.[1];
  expect(caption, `the page has a figure data-step="${STEP}" with a caption`).toBeDefined();
  const alt = caption!.replace(/<[^>]+>/g, '').trim();
  const copy = source.replace(FIGURE, `![${alt}](./img/istio-login.png "${words} step=${STEP}")`);
  expect(copy).not.toBe(source);
  return copy;
}

const NO_RUNBOOK = [
  '---',
  'title: 런북 없는 페이지',
  '---',
  '',
  '[http://192.168.35.103](http://192.168.35.103) 을 여세요.',
  '',
  '![Grafana 로그인 화면](./img/istio-login.png "step=grafana/browser")',
  '',
].join('\n');

let build: SiteBuild;
const html = (lang: 'ko' | 'en'): string => readBuilt(build, BUILT[lang]);

/** The mark the site gives the step's figure on the page as committed: the verdict's, rendered as the site renders it. */
async function expectedMarks(lang: 'ko' | 'en'): Promise<ReturnType<typeof figureMarks>> {
  const found = (await loadVerification({ root: ROOT, reportsDir: join(ROOT, 'reports') })).forPage(PAGES[lang]);
  const primary = found?.versions[0];
  const mark = primary?.verdict?.figures.get(STEP);
  expect(mark, `${PAGES[lang]}: the committed reports give ${STEP} a mark`).toBeDefined();
  const element = markElement(
    mark!,
    withBase('/', detailsPath(found!.page.runbook, primary!.minor)),
    wordsFor(found?.translation?.locale),
  );
  return figureMarks(`<figure class="screenshot" data-step="${STEP}">${toHtml(element)}</figure>`);
}

beforeAll(async () => {
  rmSync(join(ROOT, SCRATCH), { recursive: true, force: true });
  mkdirSync(SITE, { recursive: true });
  for (const entry of [
    'astro.config.mjs',
    'src',
    'public',
    'scripts',
    'runbooks',
    'go',
    'package-lock.json',
    'tsconfig.json',
  ])
    cpSync(join(ROOT, entry), join(SITE, entry), { recursive: true });
  for (const [lang, page] of Object.entries(PAGES) as Array<['ko' | 'en', string]>) {
    writeFileSync(join(SITE, page), withImage(readFileSync(join(ROOT, page), 'utf8'), TITLE[lang]));
    mkdirSync(join(SITE, dirname(page), 'img'), { recursive: true });
    cpSync(IMAGE, join(SITE, dirname(page), 'img/istio-login.png'));
  }
  writeFileSync(join(SITE, 'src/content/docs/appendix/no-runbook.md'), NO_RUNBOOK);
  build = await buildSite({
    root: `${SCRATCH}/site`,
    outDir: `${SCRATCH}/site/dist`,
    env: { REPORTS_DIR: join(ROOT, 'reports') },
    inputs: ['reports', 'test/fixtures/drop-in'],
  });
  expect(build.exitCode, `astro build failed:\n${build.log}`).toBe(0);
}, 240_000);

afterAll(() => rmSync(join(ROOT, SCRATCH), { recursive: true, force: true }));

describe.each(['ko', 'en'] as const)(
  'the MetalLB page (%s) with its istio/browser screenshot as a Markdown image',
  (lang) => {
    it("renders the image inside the step's screenshot figure, through Astro's image pipeline", () => {
      const image = first(html(lang), `figure.screenshot[data-step="${STEP}"] > img`);
      expect(attr(image, 'src')).toMatch(/^\/_astro\/istio-login\..+\.webp$/);
      expect(attr(image, 'alt')).toMatch(/Kubeflow/);
    });

    it('gives the image the mark the figure had', async () => {
      const expected = await expectedMarks(lang);
      expect(expected).toHaveLength(1);
      expect(figureMarks(html(lang)).filter((m) => m.element === STEP)).toEqual(expected);
      // The mark links to the step on the details page, as a figure's does.
      expect(attr(first(html(lang), `figure[data-step="${STEP}"] .step-mark a`), 'href')).toMatch(
        /^\/(en\/)?verification\/metallb\/[\d.]+\/#step-istio-browser$/,
      );
    });

    it('keeps the marks of the other figures (the control)', () => {
      expect(figureMarks(html(lang)).map((m) => m.element)).toEqual([
        STEP,
        'minio/browser',
        'mlflow/browser',
        'grafana/browser',
      ]);
    });

    it('shows no step= in a title, and keeps the other title words', () => {
      expect(
        all(html(lang), '[title]')
          .map((e) => attr(e, 'title'))
          .filter((t) => /\bstep=/.test(t ?? '')),
      ).toEqual([]);
      expect(attr(first(html(lang), `figure[data-step="${STEP}"] > img`), 'title')).toBe(TITLE[lang]);
    });
  },
);

describe('a page without a runbook', () => {
  it('builds with the step= image as a figure without a mark, and no title', () => {
    const page = readBuilt(build, 'appendix/no-runbook/index.html');
    const image = first(page, 'figure.screenshot[data-step="grafana/browser"] > img');
    expect(attr(image, 'alt')).toBe('Grafana 로그인 화면');
    expect(attr(image, 'title')).toBeUndefined();
    expect(all(page, '.step-mark')).toEqual([]);
  });
});

describe('in Chromium', () => {
  let browser: Browser;
  let server: StaticServer;
  afterAll(async () => {
    await server?.close();
    await browser?.close();
  });

  it('shows the loaded image with its mark under it, and no tooltip', async () => {
    browser = await launchChromium();
    server = await serveStatic(build.outDir);
    const { context, blocked } = await loopbackContext(browser, server.origin);
    const page = await context.newPage();
    await page.goto(`${server.origin}/appendix/metallb/`);
    const figure = page.locator(`figure[data-step="${STEP}"]`);
    await figure.scrollIntoViewIfNeeded();
    const image = figure.locator('img');
    // Astro's images load lazily: once scrolled into view, the load may still be under way.
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 10_000 })
      .toBe(true);
    expect(await image.getAttribute('title')).toBe(TITLE.ko);
    const [imageBox, markBox] = [await image.boundingBox(), await figure.locator('.step-mark').boundingBox()];
    expect(markBox!.y).toBeGreaterThanOrEqual(imageBox!.y + imageBox!.height);
    await figure.screenshot({ path: SCREENSHOT });
    expect(blocked).toEqual([]);
  });
});
