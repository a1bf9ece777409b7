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
  for (const entry of ['astro.config.mjs', 'src', 'public', 'scripts', 'runbooks']) cpSync(join(ROOT, entry), join(root, entry), { recursive: true });
  writeFileSync(
    join(root, 'src/content/docs/broken.md'),
    '---\ntitle: 깨진 링크\n---\n\n[없는 페이지](/no-such-page/) 로 가세요.\n',
  );

  const build = await buildSite({ root: SCRATCH, outDir: `${SCRATCH}/dist` });

  expect(build.exitCode).not.toBe(0);
  expect(build.log).toContain('Links validation failed');
  expect(build.log).toContain('/no-such-page/');
}, 120_000);
