/**
 * A GitHub Pages project site lives under a path (`https://owner.github.io/<repo>/`).
 * With SITE_BASE set, every internal link and asset must carry that prefix, and the
 * link validator must still pass.
 */
import { expect, it } from 'vitest';
import { all, attr } from './helpers/html.ts';
import { buildSite, readBuilt } from './helpers/site-build.ts';

const BASE = '/verified-docs';

it(`builds under SITE_BASE=${BASE}: every root-relative href and src carries the base`, async () => {
  const build = await buildSite({
    outDir: 'test-results/dist-base',
    env: { SITE_BASE: BASE, SITE_URL: 'https://example.github.io' },
  });
  expect(build.exitCode, build.log).toBe(0);
  expect(build.log).toContain('All internal links are valid.');

  for (const page of ['index.html', 'appendix/metallb/index.html']) {
    const html = readBuilt(build, page);
    const urls = all(html, '[href], [src]')
      .flatMap((el) => [attr(el, 'href') ?? '', attr(el, 'src') ?? ''])
      .filter((url) => url.startsWith('/'));
    expect(urls.length, page).toBeGreaterThan(5);
    expect(
      urls.filter((url) => !url.startsWith(`${BASE}/`)),
      page,
    ).toEqual([]);
  }
  expect(all(readBuilt(build, 'index.html'), `a[href="${BASE}/appendix/metallb/"]`).length).toBeGreaterThan(0);
}, 120_000);
