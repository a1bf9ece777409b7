import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes a file whole or not at all: a temp file in the same folder, then rename, so a reader
 * never sees half a file. `mode` applies before the rename (a secret is never world-readable).
 */
export function writeAtomic(file: string, text: string, mode?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, mode === undefined ? {} : { mode });
  if (mode !== undefined) fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}
