/**
 * The test workers' lock for site builds and fresh reports (test/helpers/site-build.ts `acquire`,
 * the cluster code's pid lock): it never leaves a hook waiting on something that will not come.
 * Before, a fresh clone without test-results/ made `mkdir test-results/x.lock` fail with ENOENT,
 * which looked like a held lock: site-base and site-verification then sat idle until their hook
 * timeouts (10 and 60 minutes).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquire } from './helpers/site-build.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'locks-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Resolves to true if `promise` settles within `ms`. */
const within = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('acquire (the site build and fresh reports lock)', () => {
  it('creates a missing parent folder instead of waiting forever', async () => {
    const lock = path.join(dir, 'no-such-folder-yet', 'dist.lock');
    expect(await within(acquire(lock), 2_000)).toBe(true);
    expect(fs.readFileSync(lock, 'utf8')).toBe(String(process.pid));
  });

  it('takes over at once a lock whose owner has exited (a stopped run)', async () => {
    const dead = spawnSync('true').pid!;
    const lock = path.join(dir, 'stale.lock');
    fs.writeFileSync(lock, String(dead));
    expect(await within(acquire(lock), 2_000)).toBe(true);
  });

  it('waits while a live owner holds it, and goes on when it is released', async () => {
    const lock = path.join(dir, 'held.lock');
    fs.writeFileSync(lock, String(process.ppid));
    const waiting = acquire(lock);
    expect(await within(waiting, 600)).toBe(false);
    fs.rmSync(lock);
    expect(await within(waiting, 2_000)).toBe(true);
  });

  it('releases only its own lock: one taken over by another holder meanwhile stays (mutual exclusion)', async () => {
    const lock = path.join(dir, 'taken-over.lock');
    const release = await acquire(lock);
    // Another holder has it now (it took ours for a dead holder's): its file, its pid.
    fs.rmSync(lock);
    fs.writeFileSync(lock, String(process.ppid));
    release();
    expect(fs.readFileSync(lock, 'utf8')).toBe(String(process.ppid));
  });
});
