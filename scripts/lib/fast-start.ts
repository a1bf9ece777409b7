import crypto from 'node:crypto';
import fs from 'node:fs';
import { enableCompileCache } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from './paths.ts';

/**
 * Start-up of a CLI from one bundled file. Node strips the types of every project `.ts` file and
 * resolves a few hundred small package modules (remark, micromark, zod, yaml, …) at each start:
 * about 0.7 s before `--help` prints. The same code bundled by esbuild into one ES module loads in
 * a fraction of that. The bundle lives in `<project>/.cache/bundles/<name>-<key>/` (not under
 * VDOCS_CACHE_DIR: bare imports left in it resolve from the project's node_modules), keyed by the
 * content of every project `.ts` file, the lockfile and Node's version, so an edited source is
 * never run from an old bundle. Built on first use (about half a second) and renamed into place
 * whole; when esbuild is missing or the build fails, the sources are imported as they are.
 * `VDOCS_BUNDLE=0` always imports the sources.
 */

/**
 * The line a bundle starts with so that bundled CommonJS packages can require() Node's built-ins.
 * Spelled in two parts so the source-location plugin below never rewrites it.
 */
export const REQUIRE_BANNER = `import { createRequire as __vdocsRequire } from 'node:module'; const require = __vdocsRequire(${'import.meta'}.url);`;

/** Packages left out of the bundle: a native binary, one with its own bundle (client.ts), a browser driver. */
const EXTERNAL = ['esbuild', '@kubernetes/client-node', 'playwright-core'];

/** The content key: every `.ts` under scripts/ (path and bytes), the lockfile, Node's version. Runbooks are imported by path at run time, never bundled. */
export function sourceKey(root = projectRoot): string {
  const hash = crypto.createHash('sha256').update(process.version);
  const walk = (dir: string) => {
    const full = path.join(root, dir);
    if (!fs.existsSync(full)) return;
    for (const entry of fs.readdirSync(full, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.ts')) hash.update(`${rel}\0`).update(fs.readFileSync(path.join(root, rel))).update('\0');
    }
  };
  walk('scripts');
  const lock = path.join(root, 'package-lock.json');
  if (fs.existsSync(lock)) hash.update(fs.readFileSync(lock));
  return hash.digest('hex').slice(0, 16);
}

export function bundleDir(name: string, root = projectRoot): string {
  return path.join(root, '.cache', 'bundles', `${name}-${sourceKey(root)}`);
}

/**
 * The module `entry` (a project-relative `.ts` path) from its bundle, building the bundle when it
 * is missing; `fallback` imports the sources (no bundle, or `VDOCS_BUNDLE=0`).
 */
export async function fastStart<T>(name: string, entry: string, fallback: () => Promise<T>, env: Readonly<Record<string, string | undefined>> = process.env): Promise<T> {
  // V8's compiled code for every module loaded from here on (the bundle, the API client, the
  // runbook) is kept in `.cache/compile/` and reused while the file is unchanged (Node's compile cache).
  try {
    enableCompileCache(path.join(projectRoot, '.cache', 'compile'));
  } catch {
    // an unwritable cache folder only costs speed
  }
  if (env.VDOCS_BUNDLE === '0') return fallback();
  try {
    const dir = bundleDir(name);
    const file = path.join(dir, 'entry.mjs');
    if (!fs.existsSync(file)) await buildBundle(entry, dir);
    return (await import(pathToFileURL(file).href)) as T;
  } catch (error) {
    if (env.VDOCS_BUNDLE_DEBUG) process.stderr.write(`fast-start: ${(error as Error).stack}\n`);
    return fallback();
  }
}

async function buildBundle(entry: string, dir: string): Promise<void> {
  const esbuild = await import('esbuild');
  const tmp = `${dir}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    await esbuild.build({
      entryPoints: { entry: path.join(projectRoot, entry) },
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      external: EXTERNAL,
      minifyWhitespace: true,
      minifySyntax: true,
      legalComments: 'none',
      logLevel: 'silent',
      // Bundled CommonJS packages call require() for Node's built-ins.
      banner: { js: REQUIRE_BANNER },
      plugins: [
        {
          // A project module keeps its own location: the source file's URL, not the bundle's
          // (paths.ts finds the project root with it, the small kubelet's launcher its main.ts).
          name: 'vdocs-source-location',
          setup(build) {
            build.onLoad({ filter: /\.ts$/ }, (args) => {
              if (!args.path.startsWith(projectRoot + path.sep) || args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
              const url = pathToFileURL(args.path).href;
              // The patterns are spelled in parts so that this file, bundled itself, keeps them.
              const meta = 'import.meta';
              const text = fs
                .readFileSync(args.path, 'utf8')
                .replaceAll(`${meta}.url`, JSON.stringify(url))
                .replaceAll(`${meta}.filename`, JSON.stringify(args.path))
                .replaceAll(`${meta}.dirname`, JSON.stringify(path.dirname(args.path)));
              return { contents: text, loader: 'ts' };
            });
          },
        },
      ],
    });
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    try {
      fs.renameSync(tmp, dir);
    } catch (error) {
      // Another process put the same bundle in place first: theirs is as good.
      if (!fs.existsSync(path.join(dir, 'entry.mjs'))) throw error;
    }
    removeOldBundles(dir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Bundles of this name for other sources, untouched for a day: a process started from one a moment
 * ago may still load its chunks (dynamic imports), so only old ones go.
 */
function removeOldBundles(current: string): void {
  const parent = path.dirname(current);
  const prefix = `${path.basename(current).replace(/-[0-9a-f]{16}$/, '')}-`;
  for (const entry of fs.readdirSync(parent)) {
    const full = path.join(parent, entry);
    if (full === current || !entry.startsWith(prefix) || !/^[0-9a-f]{16}$/.test(entry.slice(prefix.length))) continue;
    try {
      if (Date.now() - fs.statSync(full).mtimeMs > 24 * 3600_000) fs.rmSync(full, { recursive: true, force: true });
    } catch {
      // gone already
    }
  }
}
