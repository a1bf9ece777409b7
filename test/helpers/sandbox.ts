import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { inNetns } from '../../scripts/cluster/pods/namespaces.ts';
import { NET } from '../../scripts/cluster/pods/layout.ts';
import { recordProcess } from '../../scripts/cluster/procs.ts';
import { readSandbox, sandboxDir, sandboxEnv, sandboxKubectl, type SandboxState } from '../../scripts/cluster/state.ts';

/**
 * The offline copy of the guide's URLs (host/path) the tests use: RUNBOOK_MIRROR when set (CI sets
 * it), else `../shared/mirror` beside the clone when it exists; otherwise the real URLs (internet).
 */
export function testMirror(): string | undefined {
  const beside = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../shared/mirror');
  return process.env.RUNBOOK_MIRROR || (fs.existsSync(beside) ? beside : undefined);
}

/** Where a URL of the guide is read from in tests: the mirror's copy, or the URL itself. */
export function mirrored(url: string): string {
  const dir = testMirror();
  if (!dir) return url;
  const u = new URL(url);
  return path.join(dir, u.host, u.pathname);
}

/** Runs a project CLI (`scripts/<name>.ts`) to completion; returns its exit code and output. */
export function cli(
  script: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [`scripts/${script}.ts`, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Brings a named sandbox (kwok unless told) up for a test file and returns its state. */
export function up(name: string, provider: 'kwok' | 'pods' | 'kind' = 'kwok'): SandboxState {
  const r = cli('cluster', ['up', '--provider', provider, '--name', name]);
  if (r.code !== 0) throw new Error(`cluster up --name ${name} failed (${r.code}):\n${r.stderr}`);
  const state = readSandbox(name);
  if (!state) throw new Error(`cluster up --name ${name} wrote no state`);
  return state;
}

export function down(name: string): void {
  cli('cluster', ['down', '--name', name]);
}

/** kubectl against the sandbox with its own kubectl build. */
export const kubectl = sandboxKubectl;

/** A control-plane process of a sandbox, where its provider records it. */
function component(
  state: SandboxState,
  name: 'kube-apiserver' | 'etcd',
): { pid: number; rewrite: (pid: number) => void } {
  if (state.provider === 'pods') {
    const file = path.join(sandboxDir(state.name), 'pods', 'created.json');
    const created = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      daemons: Array<{ name: string; pid: number; log: string }>;
    };
    const daemon = created.daemons.find((d) => d.name === name);
    if (!daemon) throw new Error(`no ${name} in ${file}`);
    return {
      pid: daemon.pid,
      // `down` stops only what created.json records, with its start time: the restarted process must be there.
      rewrite: (pid) => {
        created.daemons = created.daemons.map((d) => (d.name === name ? { ...d, ...recordProcess(name, pid) } : d));
        fs.writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`);
      },
    };
  }
  const pidFile = path.join(sandboxDir(state.name), 'kwok', 'clusters', state.name, 'pids', `${name}.pid`);
  return {
    pid: Number(fs.readFileSync(pidFile, 'utf8').trim()),
    rewrite: (pid) => fs.writeFileSync(pidFile, String(pid)),
  };
}

/**
 * Stops the sandbox's kube-apiserver, keeps it down for `outageMs`, and starts it again with the
 * same command line, working folder, log and (pods) network namespace, recording the new pid where
 * `down` looks for it.
 */
export async function restartApiserver(state: SandboxState, outageMs: number): Promise<void> {
  const { pid, rewrite } = component(state, 'kube-apiserver');
  const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
  const log = fs.readlinkSync(`/proc/${pid}/fd/1`);
  // On pods it runs in the node's network namespace (its /proc/<pid>/ns/net); nsenter puts the new one there too.
  const prefix = state.provider === 'pods' ? inNetns(NET.nodeNetns) : [];
  // Graceful stop first; open watches can hold a graceful shutdown for a minute, so then SIGKILL.
  const gone = () => !fs.existsSync(`/proc/${pid}`) || fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  process.kill(pid, 'SIGTERM');
  await until(gone, 15_000, 'kube-apiserver to stop').catch(() => process.kill(pid, 'SIGKILL'));
  await until(gone, 15_000, 'kube-apiserver to be killed');
  await new Promise((r) => setTimeout(r, outageMs));
  const out = fs.openSync(log, 'a');
  const cmd = [...prefix, ...argv];
  const child = spawn(cmd[0] ?? '', cmd.slice(1), { cwd, detached: true, stdio: ['ignore', out, out] });
  child.unref();
  fs.closeSync(out);
  rewrite(child.pid ?? 0);
  await until(
    () =>
      spawnSync(
        path.join(state.binDir ?? '', 'kubectl'),
        ['--kubeconfig', state.kubeconfig, 'get', '--raw', '/readyz'],
        { encoding: 'utf8', env: { ...process.env, ...sandboxEnv(state) } },
      ).stdout === 'ok',
    60_000,
    'kube-apiserver /readyz after the restart',
  );
}

/**
 * Freezes the sandbox's etcd (SIGSTOP) until the returned function thaws it (SIGCONT): the API
 * server keeps its port open but cannot answer anything that needs storage.
 */
export function freezeEtcd(state: SandboxState): () => void {
  const { pid } = component(state, 'etcd');
  process.kill(pid, 'SIGSTOP');
  let thawed = false;
  return () => {
    if (thawed) return;
    thawed = true;
    process.kill(pid, 'SIGCONT');
  };
}

/** Re-checks `condition` every 100 ms until it holds; throws after `timeoutMs` naming `what`. */
export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Pids of live processes whose working folder is inside `dir` (orphans of a run there). */
export function processesIn(dir: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (cwd.startsWith(dir) && !stat.includes(') Z ')) found.push(Number(entry));
    } catch {
      // gone or not ours
    }
  }
  return found;
}

/**
 * Pids of live processes that name `dir` anywhere: executable, arguments or working folder.
 * For assertions only (after `down`, nothing of a test's sandbox may remain); `down` itself never
 * signals by this (a user's `tail -f` of a sandbox log names it too).
 */
export function processesNaming(dir: string): number[] {
  // The folder itself or anything inside it; not a sibling whose name starts the same (`vdocs-2`).
  const pattern = new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![^/\\s:=,])`);
  const names = (s: string) => pattern.test(s);
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const link = (what: string) => {
        try {
          return fs.readlinkSync(`/proc/${entry}/${what}`);
        } catch {
          return '';
        }
      };
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if ([link('exe'), link('cwd'), ...argv].some(names)) found.push(Number(entry));
    } catch {
      // gone or not readable
    }
  }
  return found;
}
