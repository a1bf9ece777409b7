import fs from 'node:fs';
import path from 'node:path';
import { isAlive, procStat } from '../lib/process.ts';

/**
 * Which processes are a sandbox's, so `down` signals those only (Linux /proc): one it recorded and still that
 * process (pids are reused: the start time must match), or one whose executable lives in the sandbox folder.
 * One that only names the folder in its arguments (a user's `tail -f` of a log) is never one of them.
 */

/** A process the sandbox started, as written down at the time. */
export interface ProcessRecord {
  name: string;
  pid: number;
  /** Its start time, in clock ticks after boot (field 22 of /proc/<pid>/stat): the same pid with another start is another process. */
  start?: number;
  /** For a record without `start` (kwokctl's pid files, older state files): when it was written, in ms since the epoch. */
  writtenAt?: number;
}

/** `read()`, or `fallback` when it throws: a file or process that is gone, not readable or not whole. */
export function orElse<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** USER_HZ, the unit of /proc/<pid>/stat times: 100 on every architecture Linux exposes to user space. */
const TICKS_PER_SECOND = 100;

/** When `pid` started, in clock ticks after boot; undefined when it is gone (or not Linux). */
export function startTicks(pid: number): number | undefined {
  const start = Number(procStat(pid)?.[19]);
  return Number.isSafeInteger(start) ? start : undefined;
}

/** The record of a process just started: its pid and its start time. */
export function recordProcess(name: string, pid: number): ProcessRecord {
  const start = startTicks(pid);
  return start === undefined ? { name, pid } : { name, pid, start };
}

function bootTimeMs(): number | undefined {
  const btime = /^btime (\d+)$/m.exec(orElse(() => fs.readFileSync('/proc/stat', 'utf8'), ''));
  return btime ? Number(btime[1]) * 1000 : undefined;
}

/**
 * Whether the live process with the record's pid is the recorded one: the same start time, or, without one,
 * a start no later than the record was written (a reused pid starts after; 1 s slack for btime's seconds).
 */
export function isRecorded(rec: ProcessRecord): boolean {
  const now = startTicks(rec.pid);
  if (now === undefined || !isAlive(rec.pid)) return false;
  if (rec.start !== undefined) return now === rec.start;
  const boot = bootTimeMs();
  if (rec.writtenAt === undefined || boot === undefined) return false;
  return boot + (now * 1000) / TICKS_PER_SECOND <= rec.writtenAt + 1000;
}

const within = (file: string, dir: string) => file.startsWith(dir + path.sep);

/**
 * Whether `pid` runs an executable that lives in `dir`: the binary is there (copied), or its argv[0] is a path
 * there (kwokctl's links to our builds) leading to the very binary it runs. Another sandbox's process running
 * the same build through its own link does not qualify, nor does anything naming `dir` in its arguments.
 */
export function belongsTo(pid: number, dir: string): boolean {
  const dirs = [dir, orElse(() => fs.realpathSync(dir), dir)]; // gone: the path as given
  try {
    const exe = fs.readlinkSync(`/proc/${pid}/exe`);
    if (dirs.some((d) => within(exe, d))) return true;
    const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    if (!path.isAbsolute(argv0) || !dirs.some((d) => within(path.normalize(argv0), d))) return false;
    const started = fs.statSync(argv0);
    const running = fs.statSync(`/proc/${pid}/exe`);
    return started.dev === running.dev && started.ino === running.ino;
  } catch {
    return false; // gone, or not ours to inspect
  }
}

/** The recorded processes that are still the sandbox's (see `isRecorded`, `belongsTo`), as pids. */
export function ownPids(records: readonly ProcessRecord[], dir: string): number[] {
  return [
    ...new Set(records.filter((r) => isAlive(r.pid) && (isRecorded(r) || belongsTo(r.pid, dir))).map((r) => r.pid)),
  ];
}

/** Every live process other than this one that passes `test`. */
export function processesWhere(test: (pid: number) => boolean): number[] {
  return orElse(() => fs.readdirSync('/proc'), [])
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => pid !== process.pid && test(pid) && isAlive(pid));
}

/** Every live process whose executable lives in the sandbox folder: the leftovers sweep of `down`. */
export function sandboxProcesses(dir: string): number[] {
  return processesWhere((pid) => belongsTo(pid, dir));
}

/** A process's arguments, argv[0] first; empty when it is gone. */
export const argvOf = (pid: number) =>
  orElse(() => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1), []);
