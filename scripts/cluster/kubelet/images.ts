import fs from 'node:fs';
import path from 'node:path';
import { writeAtomic } from '../../lib/fs.ts';
import { orElse } from '../procs.ts';

/**
 * The small kubelet's registry `<sandbox>/kubelet/images.json`: image → binary built from its tagged source,
 * added to before a run's steps, read again when it changes. Registrations add up (pages share a sandbox).
 */
export const registeredImagesFile = (sandboxDir: string) => path.join(sandboxDir, 'kubelet', 'images.json');

export function readRegisteredImages(sandboxDir: string): Record<string, string> {
  const parsed = orElse(() => JSON.parse(fs.readFileSync(registeredImagesFile(sandboxDir), 'utf8')) as unknown, {});
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** Adds images (atomically: the small kubelet never reads half a file); unchanged registrations leave the file alone. */
export function registerImages(sandboxDir: string, images: Record<string, string>): void {
  const current = readRegisteredImages(sandboxDir);
  const next = { ...current, ...images };
  if (JSON.stringify(next) === JSON.stringify(current)) return;
  writeAtomic(registeredImagesFile(sandboxDir), `${JSON.stringify(next, null, 2)}\n`);
}
