import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import type { Status } from '../../lib/status.ts';
import { argvOf, orElse, ownPids, processesWhere, sandboxProcesses } from '../procs.ts';
import { stopProcesses, waitFor, type SandboxPaths } from '../sandbox.ts';
import { exeName, readClaim, releaseClaim } from './host.ts';
import { CGROUP_ROOTS, NET, podsPaths } from './layout.ts';
import { deleteNetns, netnsFile } from './namespaces.ts';
import { readCreated } from './record.ts';

/** Every cgroup folder under /<root> in every v1 controller, deepest first. */
function cgroupDirs(): string[] {
  const walk = (dir: string): string[] => {
    const entries = orElse(() => fs.readdirSync(dir, { withFileTypes: true }), undefined);
    if (!entries) return [];
    return [...entries.filter((e) => e.isDirectory()).flatMap((e) => walk(path.join(dir, e.name))), dir];
  };
  const controllers = fs.readdirSync('/sys/fs/cgroup');
  return controllers.flatMap((c) => CGROUP_ROOTS.flatMap((root) => walk(path.join('/sys/fs/cgroup', c, root))));
}

/** The processes in our cgroups (a cgroup removed meanwhile has none). */
function cgroupPids(): number[] {
  const procs = (d: string) => orElse(() => fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8'), '');
  const lines = cgroupDirs().flatMap((d) => procs(d).split('\n'));
  return [...new Set(lines.filter((l) => l.trim()).map(Number))];
}

/** SIGKILLs every process in our cgroups: true when none was left. */
function killCgroupProcesses(): boolean {
  const pids = cgroupPids();
  for (const pid of pids) orElse(() => process.kill(pid, 'SIGKILL'), false); // one gone meanwhile is fine
  return pids.length === 0;
}

/**
 * containerd's shims serving our containerd: `containerd-shim-runc-v2 … -address <socket>` with our
 * socket as that flag's value (not merely somewhere in the command line).
 */
export function shimsOf(socket: string): number[] {
  return processesWhere((pid) => {
    if (!exeName(pid).startsWith('containerd-shim')) return false;
    const argv = argvOf(pid);
    return argv.some((a, i) =>
      a === '-address' || a === '--address'
        ? argv[i + 1] === socket
        : a === `-address=${socket}` || a === `--address=${socket}`,
    );
  });
}

/** Mounts in the host's namespace that name the sandbox folder or the node namespaces (there should be none left). */
export function hostMountsOf(dir: string): string[] {
  const info = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  return info
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(dir + '/') || m === netnsFile(NET.nodeNetns) || m === netnsFile(NET.clientNetns));
}

/**
 * Undoes a pods sandbox, complete or half-made, in the order that leaves nothing behind:
 * kubelet and kube-proxy (nothing restarts containers), every process in the /kubepods and /k8s.io
 * cgroups, containerd and its shims, the control plane and the mount-namespace holder (its mounts,
 * container root filesystems and volumes go with it), the cgroups, the namespaces, then the host
 * folders `up` created. Throws, naming what is left, if anything could not be removed.
 */
export async function teardownPods(p: SandboxPaths, status: Status): Promise<void> {
  const pp = podsPaths(p);
  const created = readCreated(pp);
  if (readClaim()?.dir !== p.dir) {
    // Not the machine's pods sandbox (e.g. a refused second `up`): the cgroups, namespaces and
    // host paths belong to another one. Only processes this folder started may be stopped.
    await stopProcesses(ownPids(created.daemons, p.dir));
    return;
  }
  const ours = (names: string[]) =>
    ownPids(
      created.daemons.filter((d) => names.includes(d.name)),
      p.dir,
    );
  await stopProcesses(ours(['kubelet', 'kube-proxy']));
  const killed = await waitFor(killCgroupProcesses, 15_000, 300);
  await stopProcesses(ours(['containerd']));
  // containerd's shims for our socket (nothing records them), every other daemon recorded, and
  // anything whose executable lives in the sandbox folder; the mount-namespace holder last.
  const holder = ours(['node-mounts']);
  const rest = [...shimsOf(pp.containerdSock), ...ownPids(created.daemons, p.dir), ...sandboxProcesses(p.dir)];
  await stopProcesses([...new Set(rest)].filter((pid) => !holder.includes(pid)));
  await stopProcesses(holder);
  const problems: string[] = [];
  if (!killed) problems.push(`cgroup 안의 프로세스가 멈추지 않습니다: ${cgroupPids().join(', ')}`);
  // Removes an empty folder (of a host path `up` made, its empty subfolders first); says so when it stays.
  const remove = (dir: string, cgroup: boolean) => {
    try {
      fs.rmdirSync(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' && !cgroup) spawnSync('find', [dir, '-depth', '-type', 'd', '-empty', '-delete']);
      if (code !== 'ENOENT' && fs.existsSync(dir))
        problems.push(`${cgroup ? 'cgroup ' : ''}${dir} 를 지울 수 없습니다: ${(error as Error).message}`);
    }
  };
  for (const dir of cgroupDirs()) remove(dir, true);
  for (const file of [...created.paths].reverse())
    if (file.startsWith('/run/netns/')) deleteNetns(file);
    else remove(file, false);
  const mounts = hostMountsOf(p.dir);
  if (mounts.length) problems.push(`호스트에 마운트가 남아 있습니다: ${mounts.join(', ')}`);
  if (problems.length) {
    throw new EnvironmentError(
      'PODS_DOWN_INCOMPLETE',
      `pods 샌드박스를 완전히 정리하지 못했습니다:\n  - ${problems.join('\n  - ')}`,
      '다시 실행하세요: npm run cluster -- down. 그래도 남으면 위 항목을 직접 정리하세요.',
    );
  }
  releaseClaim(p.dir);
  status.info('pods: 프로세스, cgroup(/kubepods, /k8s.io), 네트워크 네임스페이스, 마운트, 호스트 경로를 정리했습니다');
}
