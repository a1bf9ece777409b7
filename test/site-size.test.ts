/**
 * scripts/site-size.ts measures what the MetalLB page ships, and the page stays light:
 * the JS a reader downloads before doing anything is a small budget (issue 5 adds marks to it).
 */
import { beforeAll, expect, it } from 'vitest';
import { memoryIo } from '../scripts/lib/io.ts';
import { main, pageSize } from '../scripts/site-size.ts';
import { buildSite, ROOT, type SiteBuild } from './helpers/site-build.ts';

/** Budget for the MetalLB page's initial JS, gzip. Measured 8,185 B on 2026-11-27 (Starlight 0.42, EC 0.44). */
const INITIAL_JS_GZIP_BUDGET = 12_000;

let build: SiteBuild;
beforeAll(async () => {
  build = await buildSite();
  expect(build.exitCode, build.log).toBe(0);
});

it('counts the files the MetalLB page references, and the Pagefind UI it loads when idle', () => {
  const size = pageSize(build.outDir, 'appendix/metallb');
  expect(size.initial.files).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^_astro\/ec\..+\.js$/),
      expect.stringMatching(/^_astro\/ec\..+\.css$/),
    ]),
  );
  expect(size.idle.files).toEqual([expect.stringMatching(/^_astro\/ui-core\..+\.js$/)]);
  for (const tier of [size.html, size.idle]) expect(tier.gzip).toBeLessThan(tier.raw);
  expect(size.initial.jsGzip).toBeLessThanOrEqual(INITIAL_JS_GZIP_BUDGET);
});

it('prints a table row per route, and explains a missing build', async () => {
  const io = memoryIo({}, ROOT);
  expect(await main(['--dist', build.outDir, 'appendix/metallb'], io)).toBe(0);
  expect(io.stdout()).toMatch(/^\| \/appendix\/metallb\/ \| [\d,]+ \/ [\d,]+ \|/m);

  const missing = memoryIo({}, ROOT);
  expect(await main(['--dist', 'no-such-dist'], missing)).toBe(1);
  expect(missing.stderr()).toContain('npm run build');
});
