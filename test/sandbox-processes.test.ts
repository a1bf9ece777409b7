/**
 * Which processes `down` may signal: only those the sandbox started (recorded pids that are still
 * the same process) and those whose executable lives in the sandbox folder (copied there, or run
 * through a link there as kwokctl runs our builds). Before, any process whose command line merely
 * mentioned the folder was swept: a user's `tail -f .cache/sandbox/vdocs/logs/kubelet.log` died
 * with the sandbox, and so did a recorded pid that had been recycled by such a process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../scripts/lib/io.ts';
import { isAlive } from '../scripts/lib/process.ts';
import { clusterMain } from '../scripts/cluster/main.ts';
import { shimsOf } from '../scripts/cluster/pods/teardown.ts';
import { belongsTo, isRecorded, ownPids, recordProcess, sandboxProcesses } from '../scripts/cluster/procs.ts';
import { sandboxPaths } from '../scripts/cluster/sandbox.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-procs-'));
const env = { ...process.env, VDOCS_CACHE_DIR: path.join(root, 'cache') };
const p = sandboxPaths('t1', env);
/** A sandbox whose name starts with the first's: its folder path does too. */
const neighbour = sandboxPaths('t1-b', env);
/** A build outside every sandbox, as `.cache/bin/...` is; kwokctl links it into its work folder. */
const build = path.join(root, 'bin', 'sleep');
const linkIn = (dir: string, cluster: string) => path.join(dir, 'kwok', 'clusters', cluster, 'bin', 'kube-apiserver');
const log = path.join(p.logs, 'kubelet.log');

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks after boot. */
function startTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

const started: ChildProcess[] = [];
function start(cmd: string, args: string[]): number {
  const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
  started.push(child);
  return child.pid!;
}

let tail: number;
let copied: number;
let linked: number;
let other: number;

beforeAll(async () => {
  fs.mkdirSync(path.dirname(build), { recursive: true });
  fs.copyFileSync(fs.realpathSync('/usr/bin/sleep'), build);
  fs.chmodSync(build, 0o755);
  fs.mkdirSync(path.join(p.dir, 'bin'), { recursive: true });
  fs.copyFileSync(build, path.join(p.dir, 'bin', 'sleep'));
  fs.chmodSync(path.join(p.dir, 'bin', 'sleep'), 0o755);
  for (const [dir, cluster] of [
    [p.dir, 't1'],
    [neighbour.dir, 't1-b'],
  ] as const) {
    fs.mkdirSync(path.dirname(linkIn(dir, cluster)), { recursive: true });
    fs.symlinkSync(build, linkIn(dir, cluster));
  }
  fs.mkdirSync(p.logs, { recursive: true });
  fs.writeFileSync(log, 'started\n');
  fs.writeFileSync(p.provider, 'kwok v1.37.0\n');

  tail = start('tail', ['-f', log]);
  copied = start(path.join(p.dir, 'bin', 'sleep'), ['300']);
  linked = start(linkIn(p.dir, 't1'), ['300']);
  // Another sandbox's process running the very same build, through its own link.
  other = start(linkIn(neighbour.dir, 't1-b'), ['300']);
  // Each has exec'd (its /proc/<pid>/exe is the binary, no longer node's fork).
  const deadline = Date.now() + 5000;
  const exe = (pid: number) => fs.readlinkSync(`/proc/${pid}/exe`);
  while (![tail, copied, linked, other].every((pid) => !exe(pid).endsWith('/node'))) {
    if (Date.now() > deadline) throw new Error('test processes did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
});

afterAll(() => {
  // Each was started as its own process group: the group takes any child along (the shim stand-ins' sleep).
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the processes of a sandbox', () => {
  it('are those whose executable lives in its folder (copied or linked there), never one naming the folder in its arguments', () => {
    expect(sandboxProcesses(p.dir).sort((a, b) => a - b)).toEqual([copied, linked].sort((a, b) => a - b));
    expect(belongsTo(copied, p.dir)).toBe(true);
    expect(belongsTo(linked, p.dir)).toBe(true);
    expect(belongsTo(tail, p.dir)).toBe(false);
    expect(belongsTo(other, p.dir)).toBe(false);
  });

  it('a recorded pid counts only while it is the process recorded (same start time, or started before the record was written)', () => {
    const now = recordProcess('tail', tail);
    expect(now.start).toBe(startTicks(tail));
    expect(isRecorded(now)).toBe(true);
    expect(isRecorded({ name: 'earlier', pid: tail, start: now.start! - 1 })).toBe(false);
    expect(isRecorded({ name: 'pid file', pid: tail, writtenAt: Date.now() })).toBe(true);
    expect(isRecorded({ name: 'old pid file', pid: tail, writtenAt: Date.now() - 3600_000 })).toBe(false);
    expect(
      ownPids(
        [
          { name: 'earlier', pid: tail, start: now.start! - 1 },
          { name: 'apiserver', pid: linked },
        ],
        p.dir,
      ),
    ).toEqual([linked]);
  });

  it("pods: containerd's shims are those whose -address is our socket, not any process naming it", async () => {
    const socket = path.join(root, 'pods', 'containerd', 'sock');
    const shim = path.join(root, 'bin', 'containerd-shim-runc-v2');
    fs.copyFileSync(fs.realpathSync('/bin/sh'), shim);
    fs.chmodSync(shim, 0o755);
    const args = (address: string) => [
      '-c',
      'sleep 300; :',
      'shim',
      '-namespace',
      'k8s.io',
      '-id',
      'abc',
      '-address',
      address,
    ];
    const ours = start(shim, args(socket));
    const foreign = start(shim, args('/run/containerd/containerd.sock'));
    const naming = start('/bin/sh', ['-c', 'sleep 300; :', 'sh', '-address', socket]);
    const deadline = Date.now() + 5000;
    while (
      !fs.readlinkSync(`/proc/${naming}/exe`).endsWith('sh') ||
      fs.readlinkSync(`/proc/${ours}/exe`) !== shim ||
      fs.readlinkSync(`/proc/${foreign}/exe`) !== shim
    ) {
      if (Date.now() > deadline) throw new Error('shim stand-ins did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(shimsOf(socket)).toEqual([ours]);
  });

  // Last: it stops the sandbox's processes the tests above look at.
  it('down stops what the sandbox started and leaves a tail -f of its log and recycled pids alone', async () => {
    // kwokctl's pid files: one names our linked component; one an hour old names a pid since reused by the tail.
    const pids = path.join(p.kwokWorkdir, 'clusters', 't1', 'pids');
    fs.mkdirSync(pids, { recursive: true });
    fs.writeFileSync(path.join(pids, 'kube-apiserver.pid'), `${linked}\n`);
    fs.writeFileSync(path.join(pids, 'etcd.pid'), `${tail}\n`);
    const hourAgo = new Date(Date.now() - 3600_000);
    fs.utimesSync(path.join(pids, 'etcd.pid'), hourAgo, hourAgo);
    // state.json: the small kubelet recorded with its start time; a process recorded earlier whose pid the tail now has.
    const state = {
      name: 't1',
      provider: 'kwok',
      kubernetes: 'v1.37.0',
      context: 'kwok-t1',
      kubeconfig: p.kubeconfig,
      server: 'https://127.0.0.1:1',
      createdAt: hourAgo.toISOString(),
      processes: [
        { name: 'small-kubelet', pid: copied, start: startTicks(copied) },
        { name: 'kube-scheduler', pid: tail, start: startTicks(tail) - 100 },
      ],
      ports: [],
    };
    fs.writeFileSync(p.state, JSON.stringify(state));
    const io = memoryIo(env);
    expect(await clusterMain(['down', '--name', 't1'], io), io.stderr()).toBe(0);
    expect(isAlive(copied), 'the sandbox binary').toBe(false);
    expect(isAlive(linked), 'the linked component').toBe(false);
    expect(isAlive(tail), 'the tail -f of its log').toBe(true);
    expect(isAlive(other), 'the other sandbox (t1-b)').toBe(true);
    expect(fs.existsSync(p.dir)).toBe(false);
  });
});
