/**
 * Builds the Astro site for tests, at most once per distinct input.
 *
 * Several test files (site content, browser, later the verification badges of issue 5)
 * need a built site. Each calls `buildSite()`; the first caller runs `astro build`,
 * the others wait on a lock and reuse the output. The output is keyed by a hash of
 * everything that shapes it (config, src/, public/, lockfile, env, extra inputs such as
 * a reports folder), so a rerun without changes reuses it and any change rebuilds.
 * Set SITE_REBUILD=1 to force a fresh build.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { acquireLock } from '../../scripts/cluster/lock.ts';

/** The repository root (this file is test/helpers/site-build.ts). */
export const ROOT = resolve(import.meta.dirname, '../..');

interface SiteBuildOptions {
  /** Output folder, relative to the repository root. Default `dist`. */
  outDir?: string | undefined;
  /** Extra environment for `astro build`, e.g. `{ SITE_BASE: '/docs' }`. Part of the cache key. */
  env?: Record<string, string> | undefined;
  /** Extra files or folders the build reads (e.g. a reports folder). Part of the cache key. */
  inputs?: string[] | undefined;
  /** Astro project root, relative to the repository root. Default: the repository root. */
  root?: string | undefined;
}

export interface SiteBuild {
  /** Absolute path of the built site. */
  outDir: string;
  /** `astro build` output (stdout + stderr, ANSI colours removed). */
  log: string;
  /** Exit code of `astro build`. */
  exitCode: number;
  /** Wall-clock time of the build in milliseconds (of the run that produced this output). */
  durationMs: number;
}

const STAMP = '.site-build.json';
const SITE_ENV = ['SITE_URL', 'SITE_BASE', 'REPORTS_DIR'];
// reports/: the default REPORTS_DIR; scripts/: the page reader, binding, checks and report schema the site imports;
// go/ and the lockfile: part of the code fingerprint the verdict compares reports with.
const INPUTS = [
  'astro.config.mjs',
  'src',
  'public',
  'package-lock.json',
  'tsconfig.json',
  'reports',
  'scripts',
  'runbooks',
  'go',
];

/** Builds the site (or reuses an identical earlier build) and returns where it is. Never throws on a failed build. */
export async function buildSite(options: SiteBuildOptions = {}): Promise<SiteBuild> {
  const root = resolve(ROOT, options.root ?? '.');
  const outDir = resolve(ROOT, options.outDir ?? 'dist');
  // Site settings read by astro.config.mjs, from the caller's environment, then the options.
  const env: Record<string, string> = { ...pick(process.env, SITE_ENV), ...options.env };
  // This file is an input too: how the build runs shapes its output.
  const inputs = [
    import.meta.filename,
    ...INPUTS.map((p) => join(root, p)),
    ...(options.inputs ?? []).map((p) => resolve(ROOT, p)),
  ];
  const key = inputHash(root, inputs, env);
  const release = await acquire(`${outDir}.lock`);
  try {
    const cached = readStamp(outDir);
    if (cached && cached.key === key && process.env['SITE_REBUILD'] !== '1') return cached.build;
    rmSync(outDir, { recursive: true, force: true });
    const started = performance.now();
    const astro = join(ROOT, 'node_modules/astro/bin/astro.mjs');
    const run = spawnSync(process.execPath, [astro, 'build', '--outDir', outDir], {
      cwd: root,
      env: { ...buildEnv(), ASTRO_TELEMETRY_DISABLED: '1', NO_COLOR: '1', FORCE_COLOR: '0', ...env },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const build: SiteBuild = {
      outDir,
      log: stripAnsi(`${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`),
      exitCode: run.status ?? 1,
      durationMs: Math.round(performance.now() - started),
    };
    if (build.exitCode === 0) writeFileSync(join(outDir, STAMP), JSON.stringify({ key, build }, null, 2));
    return build;
  } finally {
    release();
  }
}

/** Reads a built file, e.g. `readBuilt(build, 'appendix/metallb/index.html')`. */
export function readBuilt(build: SiteBuild, path: string): string {
  return readFileSync(join(build.outDir, path), 'utf8');
}

function readStamp(outDir: string): { key: string; build: SiteBuild } | undefined {
  const file = join(outDir, STAMP);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as { key: string; build: SiteBuild };
}

/**
 * The cross-process pid lock of the cluster code (scripts/cluster/lock.ts): a lock whose owner has
 * exited (a stopped run) is taken over at once, a missing parent folder is created, and waiting is
 * announced. Before, a `mkdir` lock took ENOENT (no test-results/ in a fresh clone) for a held lock,
 * and site-base and site-verification sat idle until their hook timeouts. Release with the function
 * it returns, never by removing the file: that removes only our own lock, not one another holder took
 * over meanwhile (removing theirs would let a third one in beside them).
 */
export function acquire(lock: string): Promise<() => void> {
  return acquireLock(lock, new AbortController().signal, (owner) =>
    console.error(`waiting for ${relative(ROOT, lock)} (held by pid ${owner})`),
  );
}

function inputHash(root: string, paths: string[], env: Record<string, string>): string {
  const hash = createHash('sha256').update(JSON.stringify(env));
  const visit = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
    } else {
      hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  paths.forEach(visit);
  return hash.digest('hex');
}

/**
 * What vitest adds to a worker's environment: NODE_ENV=test, VITEST*, and its own import.meta.env
 * (MODE, DEV, PROD, SSR, BASE_URL). Passed on, they make `astro build` emit a development bundle
 * (import.meta.env.DEV: Starlight replaces the search box with a "production only" notice).
 */
const RUNNER_ENV = /^(NODE_ENV|TEST|VITEST.*|MODE|DEV|PROD|SSR|BASE_URL)$/;

function buildEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !RUNNER_ENV.test(name)));
}

function pick(from: NodeJS.ProcessEnv, names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (from[name] ? [[name, from[name]]] : [])));
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
