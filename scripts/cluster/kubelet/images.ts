import fs from 'node:fs';
import path from 'node:path';
import { writeAtomic } from '../../lib/fs.ts';

/**
 * The small kubelet's registry of runnable images: `<sandbox>/kubelet/images.json`, image → the
 * binary built from its tagged source. The runner adds a runbook's images before its steps; the
 * small kubelet reads the file again whenever it changes. Registrations add up (several pages
 * can run on one sandbox); an image registered again points at its latest binary.
 */
export const registeredImagesFile = (sandboxDir: string) => path.join(sandboxDir, 'kubelet', 'images.json');

export function readRegisteredImages(sandboxDir: string): Record<string, string> {
  try {
    const parsed = JSON.parse(fs.readFileSync(registeredImagesFile(sandboxDir), 'utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

/** Adds images (atomically: the small kubelet never reads half a file); unchanged registrations leave the file alone. */
export function registerImages(sandboxDir: string, images: Record<string, string>): void {
  const current = readRegisteredImages(sandboxDir);
  const next = { ...current, ...images };
  if (JSON.stringify(next) === JSON.stringify(current)) return;
  writeAtomic(registeredImagesFile(sandboxDir), `${JSON.stringify(next, null, 2)}\n`);
}
