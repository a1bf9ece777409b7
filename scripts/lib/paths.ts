import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (this file lives in scripts/lib/). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The project cache folder (ignored by git): built binaries, sandboxes, logs.
 * `VDOCS_CACHE_DIR` moves it, for example to share binaries between clones.
 */
export function cacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return path.resolve(env.VDOCS_CACHE_DIR ?? path.join(projectRoot, '.cache'));
}
