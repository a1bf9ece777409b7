import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from './exec.ts';

/**
 * A cross-process lock: an O_EXCL file holding the holder's pid. A lock whose pid is gone is stale
 * and taken over. `onWait` is called once with the holder's pid when we have to wait.
 */
export async function acquireLock(file: string, signal: AbortSignal, onWait?: (holder: number) => void): Promise<() => void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(fs.readFileSync(file, 'utf8').trim());
    if (!holder || !isAlive(holder)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (!announced) onWait?.(holder);
    announced = true;
    if (signal.aborted) throw signal.reason;
    await new Promise((r) => setTimeout(r, 500));
  }
}
