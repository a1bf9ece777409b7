/**
 * The built MetalLB page carries everything of the seed page, and the site around it is sound:
 * Korean locale, every code block byte for byte, headings, table cells, step ids on every block,
 * placeholder figures, a table of contents, and a link check that really runs.
 */
import { globSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  all,
  attr,
  first,
  headingTexts,
  renderedBlocks,
  screenshotFigures,
  tableCellTexts,
  textOf,
  visibleText,
  type RenderedBlock,
} from './helpers/html.ts';
import { normalizeSpace, outline, SEED_FIXTURE, SEED_PATH, seedOutline } from './helpers/markdown.ts';
import { readPage } from '../scripts/model/page.ts';
import { buildSite, readBuilt, ROOT, type SiteBuild } from './helpers/site-build.ts';

const PAGE = 'appendix/metallb/index.html';
const seed = seedOutline();

let build: SiteBuild;
let html: string;
let blocks: RenderedBlock[];

beforeAll(async () => {
  build = await buildSite();
  expect(build.exitCode, `astro build failed:\n${build.log}`).toBe(0);
  html = readBuilt(build, PAGE);
  blocks = renderedBlocks(html);
});

/** EC trims whitespace at line ends of every block (expressive-code core); nothing else may differ. */
const trimLineEnds = (text: string): string => text.replace(/[ \t]+$/gm, '');

describe(`the MetalLB page carries the seed (${relative(ROOT, seed.source)})`, () => {
  it('gives every rendered code block a copy button', () => {
    expect(seed.outline.blocks).toHaveLength(34);
    expect(blocks.filter((b) => b.copyText === undefined).map((b) => b.step)).toEqual([]);
  });

  // The page may add blocks of its own (e.g. an error output for newer Kubernetes);
  // the seed's blocks must all be there, in the seed's order, unchanged.
  const found = (): (RenderedBlock | undefined)[] => {
    let next = 0;
    return seed.outline.blocks.map((block) => {
      const at = blocks.findIndex((b, i) => i >= next && b.copyText === trimLineEnds(block.value));
      if (at < 0) return undefined;
      next = at + 1;
      return blocks[at];
    });
  };

  it.each(seed.outline.blocks.map((block, i) => [i, block.line, block] as const))(
    'seed block %i (seed line %i) is on the page byte for byte, in order: copied and shown',
    (i, _line, block) => {
      const rendered = found()[i];
      expect(rendered?.copyText, `no block on the page copies:\n${block.value}`).toBe(trimLineEnds(block.value));
      expect(rendered?.shownText).toBe(trimLineEnds(block.value));
    },
  );

  it('loses only trailing spaces to the line-end trim, in exactly the blocks that have them', () => {
    const trimmed = seed.outline.blocks.filter((b) => trimLineEnds(b.value) !== b.value);
    for (const block of trimmed) expect(trimLineEnds(block.value).length).toBeLessThan(block.value.length);
    // One seed block ends a line with a space: `kubectl apply -f metallb_config.yaml `.
    expect(trimmed.map((b) => b.value)).toEqual(['kubectl apply -f metallb_config.yaml ']);
  });

  it('shows every heading of the seed', () => {
    const shown = headingTexts(html).map(normalizeSpace);
    const missing = seed.outline.headings.map(normalizeSpace).filter((h) => !shown.includes(h));
    expect(missing).toEqual([]);
  });

  it('shows every table cell of the seed, the last row as a row', () => {
    const shown = tableCellTexts(html).map(normalizeSpace);
    expect(shown).toEqual(seed.outline.tableCells.map(normalizeSpace));
  });
});

describe('step ids', () => {
  const pages = globSync('src/content/docs/**/*.md', { cwd: ROOT });

  // The runbook's page reader is the one definition of a valid step id; the site obeys it.
  it.each(pages)('%s: every fenced block has a well-formed, unique step id (runbook page reader)', (page) => {
    expect(() => readPage(page, ROOT)).not.toThrow();
  });

  it('the rendered blocks carry data-step / data-of in page order', () => {
    const source = readPage('src/content/docs/appendix/metallb.md', ROOT).blocks;
    expect(blocks.map((b) => [b.step, b.of])).toEqual(source.map((b) => [b.id, b.of]));
  });

  it('never shows the raw fence meta to readers', () => {
    const visible = visibleText(html);
    expect(visible.match(/.{0,40}(?:step="|of="|ins=\{).{0,40}/g)).toBeNull();
  });
});

describe('page features', () => {
  it('is Korean: <html lang="ko"> with Starlight Korean UI strings', () => {
    expect(attr(first(html, 'html'), 'lang')).toBe('ko');
    expect(all(html, 'button[title="클립보드로 복사"]').length).toBe(blocks.length);
    expect(attr(first(readBuilt(build, 'index.html'), 'html'), 'lang')).toBe('ko');
  });

  it('highlights bash and yaml and marks the two changed lines of each kubectl edit spec', () => {
    expect(new Set(blocks.map((b) => b.language))).toEqual(new Set(['bash', 'text', 'yaml']));
    const specs = blocks.filter((b) => b.step?.endsWith('/edit-spec'));
    expect(specs.map((b) => b.step)).toEqual([
      'istio/edit-spec',
      'minio/edit-spec',
      'mlflow/edit-spec',
      'grafana/edit-spec',
    ]);
    for (const spec of specs) {
      const marked = spec.shownText.split('\n').filter((_, i) => /\bins\b/.test(spec.lineClasses[i] ?? ''));
      expect(marked.map((l) => l.trim().split(':')[0])).toEqual(['type', 'loadBalancerIP']);
    }
  });

  it('renders the four screenshots as captioned "스크린샷 준비 중" placeholders, no image', () => {
    const figures = screenshotFigures(html);
    expect(figures.map((f) => f.step)).toEqual(['istio/browser', 'minio/browser', 'mlflow/browser', 'grafana/browser']);
    for (const figure of figures) {
      expect(figure.placeholder).toBe('스크린샷 준비 중');
      expect(figure.caption).toMatch(/^login-ui: .+ \(login-after-.+\.png\)$/);
      expect(first(figure.element, 'img')).toBeUndefined();
    }
    expect(all(html, 'img[src*=".png"], img[srcset*=".png"]')).toEqual([]);
  });

  it('is a production build: the search box is Pagefind, not the dev-server notice', () => {
    expect(first(html, 'div#starlight__search')).toBeDefined();
    // One index per language: Korean pages and the English translation (src/content/docs/en/).
    expect(
      Object.keys(
        (JSON.parse(readBuilt(build, 'pagefind/pagefind-entry.json')) as { languages: object }).languages,
      ).sort(),
    ).toEqual(['en', 'ko']);
  });

  it('has a table of contents linking the sections', () => {
    const toc = first(html, 'starlight-toc');
    expect(textOf(toc)).toContain('목차');
    const links = all(toc, 'a').map((a) => attr(a, 'href'));
    for (const id of ['metallb란', '요구사항', 'metallb-설치', 'configuration', 'metallb-사용', 'grafana-dashboard']) {
      expect(links).toContain(`#${id}`);
    }
  });

  it('the index links to the MetalLB page, which exists', () => {
    const index = readBuilt(build, 'index.html');
    expect(all(index, 'a[href="/appendix/metallb/"]').length).toBeGreaterThan(0);
    expect(textOf(index)).toContain('단계마다 무엇을 확인했는지는 블록 아래에 표시합니다');
    // It promises only what is checked: no "cannot differ".
    expect(textOf(index)).not.toContain('어긋날 수 없습니다');
  });

  it('ran the link validator, which found no broken internal link', () => {
    expect(build.log.match(/validating links|All internal links are valid\./g)).toEqual([
      'validating links',
      'All internal links are valid.',
    ]);
  });
});

it('the seed fixture (used when ../shared is absent) matches the seed', () => {
  if (seed.source === SEED_FIXTURE) return expect(seed.outline.blocks.length).toBeGreaterThan(0);
  expect(JSON.parse(readFileSync(SEED_FIXTURE, 'utf8'))).toEqual(outline(readFileSync(SEED_PATH, 'utf8')));
});
