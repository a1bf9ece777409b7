import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../../lib/errors.ts';
import { writeAtomic } from '../../lib/fs.ts';
import { isAlive, type Env } from '../../lib/process.ts';
import { orElse, recordProcess, type ProcessRecord } from '../procs.ts';
import { waitFor, type SandboxPaths } from '../sandbox.ts';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');

const recordFile = (p: SandboxPaths) => path.join(p.kubelet, 'process.json');

/** The small kubelet's record (pid and start time), written when it was started; undefined if none. */
export function readSmallKubelet(p: SandboxPaths): ProcessRecord | undefined {
  const r = orElse(() => JSON.parse(fs.readFileSync(recordFile(p), 'utf8')) as ProcessRecord | null, null);
  return r && Number.isInteger(r.pid) && r.pid > 0 ? r : undefined;
}

/**
 * Starts the small kubelet detached (its own process group: `down` stops it and what it runs with one
 * signal), logging to `<sandbox>/logs/kubelet.log`; returns its record once it has written its status file.
 */
export async function startSmallKubelet(p: SandboxPaths, env: Env): Promise<ProcessRecord> {
  fs.mkdirSync(p.logs, { recursive: true });
  fs.mkdirSync(p.kubelet, { recursive: true, mode: 0o700 });
  const logFile = path.join(p.logs, 'kubelet.log');
  const out = fs.openSync(logFile, 'a');
  const args = [MAIN, '--kubeconfig', p.kubeconfig, '--dir', p.dir, '--pod-logs', p.podLogs];
  const child = spawn(process.execPath, args, {
    cwd: p.dir,
    detached: true,
    stdio: ['ignore', out, out],
    env: { PATH: env.PATH, HOME: env.HOME, NODE_OPTIONS: '', ...(env.NO_COLOR ? { NO_COLOR: env.NO_COLOR } : {}) },
  });
  fs.closeSync(out);
  child.unref();
  const pid = child.pid;
  const failed = (what: string) => new EnvironmentError('KUBELET_START_FAILED', what, `로그를 보세요: ${logFile}`);
  if (!pid) throw failed('작은 kubelet 프로세스를 시작하지 못했습니다.');
  const record = recordProcess('small-kubelet', pid);
  // Before anything can fail: a half-made sandbox (no state.json yet) is torn down from this.
  writeAtomic(recordFile(p), JSON.stringify(record) + '\n');
  const statusFile = path.join(p.kubelet, 'status.json');
  const supervisor = () =>
    orElse(() => (JSON.parse(fs.readFileSync(statusFile, 'utf8')) as { supervisor: number }).supervisor, 0);
  const ready = await waitFor(() => !isAlive(pid) || supervisor() === pid, 15_000);
  if (!ready || !isAlive(pid)) throw failed('작은 kubelet이 시작 직후 멈췄습니다.');
  return record;
}
