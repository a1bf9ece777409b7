import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import { isAlive, type Env } from '../../lib/process.ts';
import { orElse, recordProcess, type ProcessRecord } from '../procs.ts';

/** One long-running process of the node, started detached (own process group) with its log file. */
export interface Daemon extends ProcessRecord {
  log: string;
}

/**
 * Starts `argv` in the background with stdout and stderr appended to `<logs>/<name>.log`.
 * `prefix` (nsenter …) execs the command, so the pid is the daemon's own.
 */
export function startDaemon(name: string, argv: string[], logs: string, env: Env): Daemon {
  fs.mkdirSync(logs, { recursive: true });
  const log = path.join(logs, `${name}.log`);
  const fd = fs.openSync(log, 'a');
  try {
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: env as NodeJS.ProcessEnv,
    });
    child.unref();
    if (!child.pid)
      throw new EnvironmentError('PODS_START_FAILED', `${name}을(를) 시작하지 못했습니다: ${argv.join(' ')}`);
    // Its start time too: `down` signals the pid only while it is still this process.
    return { ...recordProcess(name, child.pid), log };
  } finally {
    fs.closeSync(fd);
  }
}

/** The last lines of a daemon's log, for an error message. */
export function logTail(log: string): string {
  return orElse(() => fs.readFileSync(log, 'utf8').trimEnd().split('\n').slice(-15).join('\n    '), '(로그 없음)');
}

/** Fails with the daemon's log tail when it has exited (called while waiting for it). */
export function assertAlive(d: Daemon): void {
  if (!isAlive(d.pid)) {
    throw new EnvironmentError(
      'PODS_DAEMON_EXITED',
      `${d.name}(pid ${d.pid})가 종료되었습니다. 로그 ${d.log} 의 끝:\n    ${logTail(d.log)}`,
    );
  }
}
