import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from '../lib/process.ts';

/**
 * A cross-process lock: a file holding its holder's pid. A holder that has exited is taken over
 * at once; `onWait` is called once with the holder's pid when we have to wait. Why it is safe:
 * - The file appears whole or not at all: the pid is written to a private temp file, which is then
 *   hard-linked to the lock's name (link() fails if the name exists, like O_EXCL). No reader ever
 *   sees it empty.
 * - A lock file is removed only by its holder, or, when the holder is dead, by the one contender
 *   that got the right to remove that particular file: `<lock>.takeover-<its identity>`, itself
 *   created with link(). Holding that right, it checks the lock file is still that one before
 *   removing it, and nobody else can remove it meanwhile; so two contenders never both remove it
 *   and both take the lock. If the one taking over dies too, its right is taken over the same way.
 * - A file that vanishes between a failed create and the read was just released: try again.
 * The file holds only the pid, as before, so older copies of this code read it the same way.
 */

interface Holder {
  pid: number;
  /** This file and no other: pid, inode and modification time in ns (a later file differs in one). */
  id: string;
}

/** Creates `file` holding `content`, whole, unless it exists. */
function createWhole(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, content);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** An empty or unreadable lock file this old is a leftover, not one being written (older copies of this code created it empty, then wrote). */
const UNREADABLE_STALE_MS = 10_000;

/** Who holds `file`: 'gone' if it vanished, 'unknown' if it does not name a pid yet. */
function readHolder(file: string): Holder | 'gone' | 'unknown' {
  let content: string;
  let stat: fs.BigIntStats;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      stat = fs.fstatSync(fd, { bigint: true });
      content = fs.readFileSync(fd, 'utf8').trim();
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  const pid = /^\d+$/.test(content) ? Number(content) : 0;
  if (!pid && Date.now() - Number(stat.mtimeMs) < UNREADABLE_STALE_MS) return 'unknown';
  return { pid, id: `${pid}-${stat.ino}-${stat.mtimeNs}` };
}

const isDead = (h: Holder) => h.pid <= 0 || !isAlive(h.pid);
const isFile = (seen: ReturnType<typeof readHolder>, h: Holder) => typeof seen === 'object' && seen.id === h.id;

/** Removes `file` if still `dead`'s, holding the right to (see above); false while someone alive holds that right. */
function removeDead(file: string, dead: Holder): boolean {
  const abandoned: string[] = []; // rights whose owners died holding them
  let right = `${file}.takeover-${dead.id}`;
  while (!createWhole(right, String(process.pid))) {
    const other = readHolder(right);
    if (other === 'gone') return true; // its owner is done: look at the lock again
    if (other === 'unknown' || !isDead(other)) return false;
    abandoned.push(right);
    right = `${right}-${other.pid}`;
  }
  try {
    const now = readHolder(file);
    if (isFile(now, dead) && isDead(now as Holder)) fs.rmSync(file, { force: true });
  } finally {
    // That file is gone for good now: nobody needs these rights any more.
    for (const r of [right, ...abandoned.reverse()]) fs.rmSync(r, { force: true });
  }
  return true;
}

export async function acquireLock(
  file: string,
  signal: AbortSignal,
  onWait?: (holder: number) => void,
): Promise<() => void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let announced = false;
  let delay = 5;
  for (;;) {
    if (createWhole(file, String(process.pid))) {
      const mine = readHolder(file) as Holder;
      // Only our own file: never one a contender made after wrongly taking ours over.
      return () => {
        if (isFile(readHolder(file), mine)) fs.rmSync(file, { force: true });
      };
    }
    const holder = readHolder(file);
    if (holder === 'gone') continue; // released between our create and our read
    if (holder !== 'unknown') {
      if (isDead(holder)) {
        if (removeDead(file, holder)) continue;
      } else if (!announced) {
        onWait?.(holder.pid);
        announced = true;
      }
    }
    if (signal.aborted) throw signal.reason;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
}
