/**
 * The cluster code's cross-process pid lock (scripts/cluster/lock.ts), raced by real processes.
 * Before, the lock file was created empty and then written, so a contender could read it empty
 * and take it for a dead holder (and remove it); a contender crashed with ENOENT when the holder
 * released between its failed create and its read; and two contenders taking over a dead holder
 * could both win (the second removed the lock the first had just taken).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../scripts/cluster/lock.ts';

const RACER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'lock-racer.ts');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-lock-'));
const started: ChildProcess[] = [];
afterAll(() => {
  // A test that failed half-way leaves contenders waiting for a round that will not come.
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Racer {
  child: ChildProcess;
  done: Promise<{ code: number | null; stderr: string }>;
}

function racer(lock: string, log: string, rounds: number, holdMs: number, signals?: string): Racer {
  const child = spawn(
    process.execPath,
    [RACER, lock, log, String(rounds), String(holdMs), ...(signals ? [signals] : [])],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  started.push(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return { child, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr }))) };
}

/** What went wrong in a race: overlapping holders, and each contender's error (its first line), if any. */
async function outcome(racers: Racer[], log: string) {
  const results = await Promise.all(racers.map((r) => r.done));
  return {
    overlaps: fs.existsSync(log) ? overlaps(log) : [],
    errors: results.map((r) =>
      r.code === 0 ? '' : `exit ${r.code}: ${r.stderr.split('\n').find((l) => /Error/.test(l)) ?? r.stderr.trim()}`,
    ),
  };
}

/** The log's problems: an `enter` while another holds the lock, an `exit` by someone not holding it. */
function overlaps(log: string): string[] {
  const problems: string[] = [];
  let holder: string | undefined;
  fs.readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .forEach((line, i) => {
      const [what, pid] = line.split(' ');
      if (what === 'enter') {
        if (holder) problems.push(`line ${i + 1}: ${pid} entered while ${holder} held the lock`);
        holder = pid;
      } else {
        if (holder !== pid) problems.push(`line ${i + 1}: ${pid} left, but the holder was ${holder ?? 'nobody'}`);
        holder = undefined;
      }
    });
  return problems;
}

const deadPid = () => spawnSync('true').pid!;
const within = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('acquireLock across processes', () => {
  it('four processes taking it 40 times each: never two holders, no crash', async () => {
    const lock = path.join(dir, 'contended.lock');
    const log = path.join(dir, 'contended.log');
    const racers = Array.from({ length: 4 }, () => racer(lock, log, 40, 1));
    expect(await outcome(racers, log)).toEqual({ overlaps: [], errors: ['', '', '', ''] });
    expect(
      fs
        .readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('enter')),
    ).toHaveLength(160);
    expect(fs.existsSync(lock)).toBe(false);
  }, 120_000);

  it('a dead holder, four processes taking over at the same moment, 15 times: one holder at a time', async () => {
    const lock = path.join(dir, 'takeover.lock');
    const log = path.join(dir, 'takeover.log');
    const signals = fs.mkdtempSync(path.join(dir, 'signals-'));
    const rounds = 15;
    const racers = Array.from({ length: 4 }, () => racer(lock, log, rounds, 30, signals));
    let finished = 0;
    for (let r = 0; r < rounds; r++) {
      fs.writeFileSync(lock, `${deadPid()}\n`); // left by a holder that has exited
      fs.writeFileSync(path.join(signals, `go-${r}`), '');
      const finishedRound = (x: Racer) => fs.existsSync(path.join(signals, `done-${r}-${x.child.pid}`));
      const done = () => racers.every(finishedRound);
      const crashed = () => racers.some((x) => x.child.exitCode !== null && !finishedRound(x));
      const deadline = Date.now() + 20_000;
      while (!done() && !crashed() && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
      if (!done()) break;
      finished++;
    }
    // After a failed round the others would wait for the next one forever.
    if (finished < rounds) for (const x of racers) if (x.child.exitCode === null) x.child.kill();
    expect({ finished, ...(await outcome(racers, log)) }).toEqual({
      finished: rounds,
      overlaps: [],
      errors: ['', '', '', ''],
    });
  }, 180_000);

  it('a contender that died while taking over a dead holder does not block the next one', async () => {
    const lock = path.join(dir, 'abandoned.lock');
    fs.writeFileSync(lock, String(deadPid()));
    // Its right to remove that file (`<lock>.takeover-<pid>-<inode>-<mtime ns>`), held by a process that has exited.
    const s = fs.statSync(lock, { bigint: true });
    fs.writeFileSync(`${lock}.takeover-${fs.readFileSync(lock, 'utf8')}-${s.ino}-${s.mtimeNs}`, String(deadPid()));
    const taken = acquireLock(lock, new AbortController().signal);
    expect(await within(taken, 2_000)).toBe(true);
    expect(fs.readFileSync(lock, 'utf8')).toBe(String(process.pid));
    (await taken)();
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('abandoned.lock'))).toEqual([]);
  });

  it('an empty lock file is a holder still writing its pid, not a dead holder', async () => {
    const lock = path.join(dir, 'being-written.lock');
    fs.writeFileSync(lock, '');
    const taken = acquireLock(lock, new AbortController().signal);
    expect(await within(taken, 700)).toBe(false);
    fs.rmSync(lock);
    expect(await within(taken, 2_000)).toBe(true);
    (await taken)();
  });
});
