/**
 * The run-wide safety net (test/helpers/watchdog.ts): a test file whose hook never finishes makes
 * the watchdog say what is still running, stop the processes the run started and exit non-zero,
 * instead of leaving the run waiting in silence. Limits shortened to seconds for the test.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../scripts/lib/process.ts';
import { ROOT } from './helpers/site-build.ts';
import { sandboxesToTearDown } from './helpers/watchdog.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watchdog-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Our own vitest must not think it runs inside this one. */
const outerEnv = /^(VITEST.*|TEST|NODE_ENV|MODE|DEV|PROD|SSR|BASE_URL)$/;

it('stops a run whose hook never finishes: names the file and the hook, kills its children, exits 1', () => {
  const pidFile = path.join(dir, 'child.pid');
  // A cache of its own: the sandboxes it tears down at its limit are the ones under it made during ITS run,
  // never those of this (outer) run in the project's .cache/sandbox/.
  const cache = path.join(dir, 'cache');
  const before = path.join(cache, 'sandbox', 'made-before');
  fs.mkdirSync(before, { recursive: true });
  const hourAgo = new Date(Date.now() - 3_600_000);
  fs.utimesSync(before, hourAgo, hourAgo);
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !outerEnv.test(name))),
    VDOCS_CACHE_DIR: cache,
    NO_COLOR: '1',
    VDOCS_TEST_QUIET_MINUTES: '0.05',
    VDOCS_TEST_LIMIT_MINUTES: '0.1',
    WATCHDOG_CHILD_PID_FILE: pidFile,
  };
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/watchdog/vitest.config.ts'],
    { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 },
  );
  const elapsed = performance.now() - t0;
  const output = `${r.stdout}${r.stderr}`;
  expect(r.status, output).toBe(1);
  expect(output).toContain('넘게 끝난 테스트가 없습니다. 실행 중:\n  hang.fixture.ts: beforeAll, ');
  expect(output).toContain(
    '✗ 테스트 실행이 6초 한도를 넘었습니다 (VDOCS_TEST_LIMIT_MINUTES). 끝나지 않은 파일:\n  hang.fixture.ts: beforeAll, ',
  );
  expect(elapsed, 'the limit is 6 s; start-up and the SIGTERM grace add a little').toBeLessThan(45_000);
  const child = Number(fs.readFileSync(pidFile, 'utf8'));
  expect(isAlive(child), `sleep ${child} still running`).toBe(false);
  // Its hook made a sandbox folder (hang.fixture.ts): `cluster down` took it away; the older one stays.
  expect(output).toContain('샌드박스 made-by-run: 내렸습니다');
  expect(fs.existsSync(path.join(cache, 'sandbox', 'made-by-run'))).toBe(false);
  expect(fs.existsSync(before)).toBe(true);
}, 150_000);

describe('which sandboxes the watchdog takes down at its limit', () => {
  const started = Date.parse('2025-06-01T10:00:00Z');

  it('those made during this run, by name; never one that was there before it started', () => {
    const folders = [
      { name: 'vdocs', createdMs: started - 86_400_000 },
      { name: 'e2e-faults', createdMs: started + 60_000 },
      { name: 'pods-test', createdMs: started + 1_200_000 },
      { name: 'verify-1-37', createdMs: started - 1 },
    ];
    expect(sandboxesToTearDown(folders, started)).toEqual(['e2e-faults', 'pods-test']);
  });

  it('none when the run made none', () => {
    expect(sandboxesToTearDown([], started)).toEqual([]);
    expect(sandboxesToTearDown([{ name: 'vdocs', createdMs: started - 1000 }], started)).toEqual([]);
  });
});
