/** Child processes, for the runner and the cluster code alike: pasteable commands, what an exit means (in Korean),
 * runs that never throw for a non-zero exit, stopping a whole process group, and whether a pid still runs. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from './errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

interface RunOptions {
  cwd?: string;
  env?: Env;
  /** Written to stdin, then closed. */
  input?: string;
  /** Aborting kills the whole process group (go build's compilers too). */
  signal?: AbortSignal;
  /** Called with each chunk of stderr as it arrives (progress). */
  onStderr?: (chunk: string) => void;
}

interface RunResult {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Quotes one argument so the printed command can be pasted into a shell. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function formatCommand(cmd: string, args: readonly string[], envShown: Record<string, string> = {}): string {
  const prefix = Object.entries(envShown)
    .map(([k, v]) => `${k}=${shellQuote(v)} `)
    .join('');
  return prefix + [cmd, ...args].map(shellQuote).join(' ');
}

const MEANINGS: Record<number, string> = {
  0: '성공',
  1: '명령이 실패함',
  2: '잘못된 사용법',
  126: '실행 권한 없음',
  127: '명령을 찾을 수 없음, PATH 확인',
  130: 'Ctrl-C 로 중단됨',
  137: 'SIGKILL 로 강제 종료됨',
  143: 'SIGTERM 으로 종료됨',
};

/** `1 (명령이 실패함)`, `- (신호 SIGTERM 로 중단됨)`, `3` (no usual meaning): an exit as failure messages show it. */
export function formatExit(code: number | null, signal?: string | null): string {
  const meaning = signal ? `신호 ${signal} 로 중단됨` : code === null ? undefined : MEANINGS[code];
  return meaning ? `${code ?? '-'} (${meaning})` : `${code ?? '-'}`;
}

/**
 * The process groups `run()` started that are still running. Each is detached (its own group), so
 * nothing stops it when this process exits: `stopRunning()` does, from main.ts's exit handler.
 */
const running = new Set<number>();

/** Runs a command to completion, collecting output. Never throws for a non-zero exit. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  // An 'abort' listener never fires for a signal aborted already (Ctrl-C between two build steps):
  // start nothing, and throw its reason as `throwIfAborted()` does.
  if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: (opts.env ?? process.env) as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so an abort can stop grandchildren too
    });
    const pid = child.pid;
    if (pid) running.add(pid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      opts.onStderr?.(c);
    });
    const onAbort = () => killGroup(child.pid, 'SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const settled = () => {
      if (pid) running.delete(pid);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (err) => {
      settled();
      reject(err);
    });
    child.on('close', (code, signal) => {
      settled();
      resolve({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs a command and throws an EnvironmentError that shows it (pasteable), its exit and stderr. */
export async function runOrThrow(
  code: string,
  cmd: string,
  args: readonly string[],
  opts: RunOptions & { what: string; hint?: string; envShown?: Record<string, string> },
): Promise<RunResult> {
  const result = await run(cmd, args, opts);
  if (result.code === 0) return result;
  const tail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-25).join('\n    ');
  throw new EnvironmentError(
    code,
    `${opts.what}에 실패했습니다: 종료 코드 ${formatExit(result.code, result.signal)}\n` +
      `  $ ${formatCommand(cmd, args, opts.envShown)}\n` +
      (opts.cwd ? `  (작업 폴더: ${opts.cwd})\n` : '') +
      (tail ? `    ${tail}` : ''),
    opts.hint,
  );
}

/** Sends a signal to a process group (falls back to the process); ignores processes already gone. */
export function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  for (const target of [-pid, pid]) {
    try {
      return void process.kill(target, sig);
    } catch {
      /* not a group leader: the process alone; already gone: nothing to do */
    }
  }
}

/**
 * A process group started elsewhere that keeps running on purpose (a runbook's background step):
 * stopped by `stopRunning()` too if this process exits before its owner stops it. Returns the release.
 */
export function stopOnExit(pid: number | undefined): () => void {
  if (!pid) return () => undefined;
  running.add(pid);
  return () => void running.delete(pid);
}

/**
 * Stops every process group `run()` started that still runs: SIGTERM, up to `graceMs` for them to
 * end, then SIGKILL. Synchronous, for an `exit` handler (a second Ctrl-C, `process.exit` while a
 * 20-minute `go build` runs): without it they run on, orphaned.
 */
export function stopRunning(graceMs = 2000): void {
  const groups = [...running];
  running.clear();
  if (groups.length === 0) return;
  for (const pid of groups) killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < deadline && groups.some(isAlive)) Atomics.wait(pause, 0, 0, 50);
  // The whole group, even when its leader ended: a grandchild may have ignored SIGTERM.
  for (const pid of groups) killGroup(pid, 'SIGKILL');
}

/**
 * Waits, up to `withinMs`, until no process of the group runs: a SIGKILL is sent at once but takes
 * effect when the kernel next runs the process, so on a busy machine a killed grandchild (and the
 * port it holds) can outlive `kill()`. Zombies count as ended: their files and ports are released,
 * and an orphan's zombie waits for PID 1, which may be slow to reap it.
 */
export async function groupGone(pgid: number, withinMs = 2000): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (performance.now() < deadline && groupRuns(pgid)) await new Promise((r) => setTimeout(r, 20));
}

function groupRuns(pgid: number): boolean {
  if (process.platform !== 'linux') return isAlive(-pgid); // no /proc: signal 0 to the group
  return fs.readdirSync('/proc').some((entry) => {
    const [state, , group] = (/^\d+$/.test(entry) && procStat(Number(entry))) || [];
    return Number(group) === pgid && state !== 'Z';
  });
}

/**
 * The fields of /proc/<pid>/stat after "pid (comm) " (comm may hold spaces and parentheses): [0] is the state
 * (field 3), [2] the process group (field 5), [19] the start time (field 22); undefined when it is gone or not Linux.
 */
export function procStat(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Whether the process runs: signal 0 reaches it and it is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped) still answers signal 0; /proc tells the truth on Linux.
  return procStat(pid)?.[0] !== 'Z';
}

/** Finds an executable on PATH (like `command -v`). */
export function which(name: string, env: Env): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return dirs.map((dir) => path.join(dir, name)).find(isExecutable);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
