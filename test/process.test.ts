/**
 * The one process layer (scripts/lib/process.ts) as the runner and the cluster code use it: what
 * an exit means, pasteable failures, a page block run in its own process group and stopped whole.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../scripts/lib/errors.ts';
import { formatExit, isAlive, run, runOrThrow } from '../scripts/lib/process.ts';
import { describeExit, runScript } from '../scripts/runbook/exec.ts';

describe('what an exit means, in one table', () => {
  it.each([
    [0, null, '0 (성공)'],
    [1, null, '1 (명령이 실패함)'],
    [127, null, '127 (명령을 찾을 수 없음, PATH 확인)'],
    [130, null, '130 (Ctrl-C 로 중단됨)'],
    [143, null, '143 (SIGTERM 으로 종료됨)'],
    [3, null, '3'],
    [null, 'SIGTERM', '- (신호 SIGTERM 로 중단됨)'],
  ])('%s / %s → %s', (code, signal, shown) => {
    expect(formatExit(code, signal)).toBe(shown);
  });

  it('a page block past its limit says so instead of the signal', () => {
    expect(describeExit({ exitCode: null, signal: 'SIGTERM', timedOut: true, durationMs: 40_200 })).toBe(
      '- (40초 안에 끝나지 않아 멈춤)',
    );
    expect(describeExit({ exitCode: 1, signal: null, timedOut: false, durationMs: 10 })).toBe('1 (명령이 실패함)');
  });
});

describe('runOrThrow', () => {
  it('shows the failed command pasteable, its exit with the meaning, where it ran and stderr', async () => {
    const error = await runOrThrow('DEMO_FAILED', 'sh', ['-c', 'echo broken >&2; exit 127'], {
      cwd: '/tmp',
      what: '데모 실행',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).message).toBe(
      "데모 실행에 실패했습니다: 종료 코드 127 (명령을 찾을 수 없음, PATH 확인)\n  $ sh -c 'echo broken >&2; exit 127'\n  (작업 폴더: /tmp)\n    broken",
    );
  });
});

describe('run', () => {
  it('an already-aborted signal (Ctrl-C between two build steps) starts nothing and throws its reason', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-aborted-'));
    try {
      const abort = new AbortController();
      const reason = Object.assign(new Error('received SIGINT'), { signal: 'SIGINT' });
      abort.abort(reason);
      const marker = path.join(dir, 'started');
      await expect(run('sh', ['-c', `touch ${marker}`], { signal: abort.signal })).rejects.toBe(reason);
      await new Promise((done) => setTimeout(done, 300));
      expect(fs.existsSync(marker), 'the command ran').toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('exiting while run() children run (a second Ctrl-C)', () => {
  it('stops the process groups run() started, so none is left orphaned', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-exit-'));
    let sleeper = 0;
    try {
      // An entry point as scripts/*.ts have them: runMain, a run() still going, then process.exit.
      const script = path.join(dir, 'exit.mjs');
      const lib = path.resolve(import.meta.dirname, '../scripts/lib');
      fs.writeFileSync(
        script,
        `
import { runMain } from ${JSON.stringify(path.join(lib, 'main.ts'))};
import { run } from ${JSON.stringify(path.join(lib, 'process.ts'))};
await runMain(async () => {
  await new Promise((started) => void run('sh', ['-c', 'echo $$ >&2; exec sleep 60'], { onStderr: (pid) => { process.stdout.write(pid); started(); } }));
  process.exit(3);
});
`,
      );
      const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, r.stderr).toBe(3);
      sleeper = Number(r.stdout.trim());
      expect(sleeper).toBeGreaterThan(0);
      expect(isAlive(sleeper), `sleep ${sleeper} still running after its parent exited`).toBe(false);
    } finally {
      if (sleeper > 0 && isAlive(sleeper)) process.kill(sleeper, 'SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('runScript: a page block', () => {
  // The whole environment, as the runner passes it.
  const base = { cwd: '/tmp', env: process.env };

  it('runs with pipefail: a failing command before a pipe is not hidden', async () => {
    const r = await runScript('false | cat', { ...base, signal: new AbortController().signal });
    expect([r.exitCode, describeExit(r)]).toEqual([1, '1 (명령이 실패함)']);
  });

  it('an abort stops the whole process group, not only bash', async () => {
    const abort = new AbortController();
    const running = runScript('sleep 30 & echo $!; wait', { ...base, signal: abort.signal });
    const started = Date.now();
    setTimeout(() => abort.abort(), 500);
    const r = await running;
    expect(Date.now() - started).toBeLessThan(10_000);
    const sleeper = Number(r.stdout.trim());
    expect(sleeper).toBeGreaterThan(0);
    for (let i = 0; i < 50 && isAlive(sleeper); i++) await new Promise((done) => setTimeout(done, 100));
    expect(isAlive(sleeper), `sleep ${sleeper} still running`).toBe(false);
  });

  it("never runs the user's ~/.bashrc or ~/.profile, even with no shell level set (cron, systemd)", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-home-'));
    try {
      for (const rc of ['.bashrc', '.profile', '.bash_profile'])
        fs.writeFileSync(path.join(home, rc), `echo ${rc}-READ >&2\nexport PATH=/nowhere:$PATH\n`);
      const r = await runScript('echo "$PATH"', {
        cwd: home,
        env: { PATH: process.env.PATH, HOME: home },
        signal: new AbortController().signal,
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).not.toContain('/nowhere');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('reads no $BASH_ENV either', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-home-'));
    try {
      fs.writeFileSync(path.join(home, 'env.sh'), 'echo BASH_ENV-READ >&2\n');
      const r = await runScript('echo ok', {
        cwd: home,
        env: { PATH: process.env.PATH, HOME: home, BASH_ENV: path.join(home, 'env.sh') },
        signal: new AbortController().signal,
      });
      expect([r.stdout, r.stderr]).toEqual(['ok\n', '']);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it("runs the block in a bash that is the runner's own child, named bash in its messages", async () => {
    // The parent's pid, not its name: Node 24 names its main thread `MainThread`.
    const r = await runScript('echo "$PPID"; echo "$0"; nosuch-command', {
      ...base,
      signal: new AbortController().signal,
    });
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([String(process.pid), 'bash']);
    expect(r.stderr).toBe('bash: line 1: nosuch-command: command not found\n');
  });

  it('a block past its limit is stopped and said so', async () => {
    const r = await runScript('sleep 30', { ...base, signal: new AbortController().signal, timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(describeExit(r)).toMatch(/^- \(0초 안에 끝나지 않아 멈춤\)$/);
  });
});
