/**
 * The link check is real: a page with a broken internal link fails the build.
 * Builds a scratch copy of the site (config, src/, public/, scripts/, runbooks/) with one extra page.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { buildSite, ROOT } from './helpers/site-build.ts';

const SCRATCH = 'test-results/site-broken-link';

afterAll(() => rmSync(join(ROOT, SCRATCH), { recursive: true, force: true }));

it('fails the build and names the link when a page links to a page that does not exist', async () => {
  const root = join(ROOT, SCRATCH);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  // src/ imports the shared model from scripts/model and judges reports against runbooks/.
  for (const entry of ['astro.config.mjs', 'src', 'public', 'scripts', 'runbooks'])
    cpSync(join(ROOT, entry), join(root, entry), { recursive: true });
  writeFileSync(
    join(root, 'src/content/docs/broken.md'),
    '---\ntitle: 깨진 링크\n---\n\n[없는 페이지](/no-such-page/) 로 가세요.\n',
  );

  const build = await buildSite({ root: SCRATCH, outDir: `${SCRATCH}/dist` });

  expect(build.exitCode).not.toBe(0);
  expect(build.log).toContain('Links validation failed');
  expect(build.log).toContain('/no-such-page/');
}, 120_000);

it('every relative link between pages (the validator skips them) resolves to a page of the built site', async () => {
  const { buildSite: build, readBuilt } = await import('./helpers/site-build.ts');
  const { all, attr } = await import('./helpers/html.ts');
  const { globSync, existsSync } = await import('node:fs');
  const { dirname, resolve, relative } = await import('node:path');
  const site = await build();
  expect(site.exitCode, site.log).toBe(0);
  const dist = site.outDir;
  const checked: string[] = [];
  for (const file of globSync('**/*.html', { cwd: dist })) {
    for (const a of all(readBuilt(site, file), 'a[href]')) {
      const href = attr(a, 'href') ?? '';
      if (!/^\.\.?\//.test(href)) continue;
      const target = resolve(dirname(join(dist, file)), href.split('#')[0]!);
      const page = href.split('#')[0]!.endsWith('/') ? join(target, 'index.html') : target;
      checked.push(`${file} → ${href}`);
      expect(existsSync(page), `${file}: ${href} → ${relative(dist, page)}`).toBe(true);
    }
  }
  // The two MetalLB pages link to each other.
  expect(checked).toEqual(
    expect.arrayContaining([
      'appendix/metallb/index.html → ../metallb-v0-16/',
      'appendix/metallb-v0-16/index.html → ../metallb/',
    ]),
  );
}, 600_000);
