import type * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cacheDir, projectRoot } from './paths.ts';

/** The parts of `@kubernetes/client-node` the runner (runbook/kube.ts) and the small kubelet (cluster/kubelet/main.ts) use. */
type Client = Pick<typeof k8s, (typeof NAMES)[number]>;
const NAMES = [
  'KubeConfig',
  'CoreV1Api',
  'AppsV1Api',
  'CoordinationV1Api',
  'VersionApi',
  'Watch',
  'createConfiguration',
  'ServerConfiguration',
  'makeInformer',
] as const;

let loading: Promise<Client> | undefined;

/** The bundle's first line: its CommonJS dependencies require() Node's built-ins (`import.meta` in two parts: not this file's). */
const REQUIRE_BANNER = `import { createRequire as __vdocsRequire } from 'node:module'; const require = __vdocsRequire(${'import.meta'}.url);`;

/**
 * Loads the API client from one file: `@kubernetes/client-node` is ~1000 modules (~1 s of CPU to import); the exports
 * used, bundled by esbuild into `.cache/bundles/client-node-<version>.mjs`, take a third of that. The bundle is built
 * on first use (once per version) and written atomically; without esbuild, on a failed build, or with
 * `VDOCS_CLIENT_BUNDLE=0`, the package is imported as is.
 */
export function loadClient(env: Readonly<Record<string, string | undefined>> = process.env): Promise<Client> {
  return (loading ??= load(env));
}

/**
 * Starts loading the client early (while the page is read and bound), only when the bundle is
 * already built: a run that stops at bad input writes nothing to the cache.
 */
export function preloadClient(env: Readonly<Record<string, string | undefined>> = process.env): void {
  try {
    if (env.VDOCS_CLIENT_BUNDLE !== '0' && fs.existsSync(bundlePath(env))) void loadClient(env).catch(() => undefined);
  } catch {
    // the real load reports problems
  }
}

function bundlePath(env: Readonly<Record<string, string | undefined>>): string {
  return path.join(cacheDir(env), 'bundles', `client-node-${packageVersion()}-${NAMES.length}.mjs`);
}

async function load(env: Readonly<Record<string, string | undefined>>): Promise<Client> {
  if (env.VDOCS_CLIENT_BUNDLE === '0') return import('@kubernetes/client-node');
  try {
    const bundle = await ensureBundle(env);
    return (await import(pathToFileURL(bundle).href)) as Client;
  } catch {
    return import('@kubernetes/client-node');
  }
}

function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.resolve('@kubernetes/client-node')));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The bundle's path, built first when it is missing. */
export async function ensureBundle(env: Readonly<Record<string, string | undefined>> = process.env): Promise<string> {
  const file = bundlePath(env);
  if (fs.existsSync(file)) return file;
  const esbuild = await import('esbuild');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await esbuild.build({
      stdin: {
        contents: `export { ${NAMES.join(', ')} } from '@kubernetes/client-node';`,
        resolveDir: projectRoot,
        loader: 'js',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      outfile: tmp,
      logLevel: 'silent',
      banner: { js: REQUIRE_BANNER },
    });
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return file;
}
