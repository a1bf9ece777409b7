import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import { isAlive, which, type Env } from '../../lib/process.ts';
import { argvOf, isRecorded, orElse, ownPids, processesWhere, startTicks } from '../procs.ts';
import { CGROUP_ROOTS, HOST_PATHS, NET, RUNTIME_HOST_PATHS, podsPaths } from './layout.ts';
import { netnsFile } from './namespaces.ts';
import { ENGINE_NETNS, readEngineClaim } from '../kind/engine.ts';
import { readCreated } from './record.ts';

// Whether this machine can run the pods provider, and whether it is free to. Each reason is one Korean sentence;
// `up` shows them together and suggests the kwok provider.

/** Debian packages that provide what the node runs (for the hint and .ci/run), and the commands `up` needs from each. */
const PACKAGE_TOOLS: Record<string, string[]> = {
  containerd: ['containerd', 'containerd-shim-runc-v2', 'ctr'],
  runc: ['runc'],
  'containernetworking-plugins': [],
  iptables: ['iptables'],
  conntrack: [],
  'util-linux': ['nsenter', 'unshare', 'mount', 'umount'],
  iproute2: ['ip'],
};
export const DEBIAN_PACKAGES = Object.keys(PACKAGE_TOOLS);

/**
 * Why the pods provider cannot run here at all (not root, no cgroups, missing tools); empty when it can.
 * `uid` is whose run is judged (this process's by default; a test asks about another user's).
 */
export function cannotRun(env: Env, uid: number | undefined = process.getuid?.()): string[] {
  const reasons: string[] = [];
  if (uid !== 0) reasons.push('root 권한이 아닙니다 (네트워크 네임스페이스, 마운트, cgroup을 만들어야 합니다)');
  const v1 = (controller: string) => fs.existsSync(`/sys/fs/cgroup/${controller}/cgroup.procs`);
  if (!v1('memory') || !v1('cpu')) {
    reasons.push(
      '/sys/fs/cgroup 에 cgroup v1 memory·cpu 컨트롤러가 없습니다 (kubelet이 파드 cgroup을 만들 수 없습니다)',
    );
  } else {
    try {
      fs.accessSync('/sys/fs/cgroup/memory', fs.constants.W_OK);
    } catch {
      reasons.push('/sys/fs/cgroup/memory 에 쓸 수 없습니다 (cgroup 접근 권한이 없습니다)');
    }
  }
  const missing = Object.values(PACKAGE_TOOLS)
    .flat()
    .filter((t) => !which(t, env));
  if (missing.length) reasons.push(`필요한 명령이 없습니다: ${missing.join(', ')}`);
  if (!fs.existsSync('/usr/lib/cni/bridge')) reasons.push('CNI 플러그인(/usr/lib/cni/bridge)이 없습니다');
  return reasons;
}

export function cannotRunError(reasons: string[]): EnvironmentError {
  return new EnvironmentError(
    'PODS_CANNOT_RUN',
    `이 머신에서는 pods 프로바이더(실제 kubelet·containerd)를 실행할 수 없습니다: ${reasons.join('; ')}.`,
    `root로 실행하고 패키지를 설치하세요: apt-get install ${DEBIAN_PACKAGES.join(' ')}. 그럴 수 없으면 흉내 낸 노드로 실행하세요: npm run cluster -- up --provider kwok`,
  );
}

/** The name of a process's executable; empty when it is gone or not readable. */
export const exeName = (pid: number) => orElse(() => path.basename(fs.readlinkSync(`/proc/${pid}/exe`)), '');

/** Processes named like a container runtime or kubelet that are not ours. */
function foreignDaemons(ourDir: string): string[] {
  const names = ['containerd', 'kubelet', 'dockerd', 'crio'];
  return processesWhere((pid) => names.includes(exeName(pid)) && !argvOf(pid).join('\0').includes(ourDir)).map(
    (pid) => `${exeName(pid)}(pid ${pid})`,
  );
}

interface Claim {
  /** The `up` that wrote it. */
  pid: number;
  /** Its start time (procs.ts `startTicks`): another process with that pid later is not it. */
  start?: number;
  dir: string;
}

/** `file` is the machine's claim; another only in tests. */
export function readClaim(file: string = HOST_PATHS.claim): Claim | undefined {
  const c = orElse(() => JSON.parse(fs.readFileSync(file, 'utf8')) as Claim | undefined, undefined);
  return typeof c?.dir === 'string' ? c : undefined;
}

/**
 * Whether a claim no longer stands for a running sandbox: its folder is gone, or nothing of its own
 * runs, neither a daemon it recorded (created.json) nor the `up` that wrote it (one still building
 * has started no daemon yet). A sandbox killed mid-run would otherwise hold the machine until a reboot.
 */
function isStaleClaim(claim: Claim): boolean {
  if (!fs.existsSync(claim.dir)) return true;
  const upRuns =
    claim.start === undefined ? isAlive(claim.pid) : isRecorded({ name: 'up', pid: claim.pid, start: claim.start });
  return !upRuns && ownPids(readCreated(podsPaths(claim)).daemons, claim.dir).length === 0;
}

/** The claim of a pods sandbox that still runs on this machine, if any (a stale one is not). */
export function liveClaim(file: string = HOST_PATHS.claim): Claim | undefined {
  const claim = readClaim(file);
  return claim && !isStaleClaim(claim) ? claim : undefined;
}

/**
 * What already owns the machine-wide places (another pods sandbox, a system containerd or kubelet,
 * leftovers in the fixed host paths); empty when free. `dir` is the sandbox asking.
 */
export function ownersOf(dir: string): string[] {
  const owners: string[] = [];
  const claim = readClaim();
  if (claim && claim.dir !== dir && !isStaleClaim(claim))
    owners.push(`다른 pods 샌드박스가 실행 중입니다: ${claim.dir}`);
  // kind on the project's own Docker daemon: its containerd and kubelets are another runtime on this machine.
  const engine = readEngineClaim();
  if (engine && fs.existsSync(netnsFile(ENGINE_NETNS)))
    owners.push(
      `이 프로젝트의 Docker 데몬(kind 샌드박스용)이 머신을 쓰고 있습니다: ${engine.dir} (pods 와 kind 는 함께 실행하지 않습니다. 그 체크아웃의 kind 샌드박스를 먼저 내리세요)`,
    );
  const daemons = foreignDaemons(claim?.dir ?? dir);
  if (daemons.length)
    owners.push(`이 샌드박스가 시작하지 않은 컨테이너 런타임/kubelet이 실행 중입니다: ${daemons.join(', ')}`);
  if (claim?.dir === dir) return owners;
  for (const host of Object.values(RUNTIME_HOST_PATHS))
    if (orElse(() => fs.readdirSync(host).length, 0))
      owners.push(`${host} 가 비어 있지 않습니다 (다른 컨테이너 런타임이나 kubelet의 것입니다)`);
  for (const ns of [NET.nodeNetns, NET.clientNetns])
    if (fs.existsSync(netnsFile(ns))) owners.push(`네트워크 네임스페이스 ${netnsFile(ns)} 가 이미 있습니다`);
  for (const root of CGROUP_ROOTS)
    if (fs.existsSync(path.join('/sys/fs/cgroup/memory', root))) owners.push(`cgroup /${root} 이 이미 있습니다`);
  return owners;
}

export function busyError(owners: string[]): EnvironmentError {
  return new EnvironmentError(
    'PODS_MACHINE_BUSY',
    `pods 샌드박스는 한 머신에 하나만 실행할 수 있는데, 이미 다른 것이 자리를 차지하고 있습니다:\n  - ${owners.join('\n  - ')}`,
    '그 샌드박스를 먼저 내리세요 (npm run cluster -- down, 그 체크아웃에서). 다른 프로그램의 것이면 그대로 두고 kwok 프로바이더를 쓰세요: npm run cluster -- up --provider kwok',
  );
}

/**
 * Takes the machine-wide claim (O_EXCL). The claim lives as long as its sandbox runs: a stale one
 * (`isStaleClaim`) is replaced.
 */
export function takeClaim(dir: string, file: string = HOST_PATHS.claim): void {
  const existing = readClaim(file);
  if (existing && existing.dir !== dir && !isStaleClaim(existing))
    throw busyError([`다른 pods 샌드박스가 실행 중입니다: ${existing.dir}`]);
  if (existing) fs.rmSync(file, { force: true });
  try {
    // JSON leaves out a start time it could not read.
    const claim: Claim = { pid: process.pid, start: startTicks(process.pid), dir };
    fs.writeFileSync(file, JSON.stringify(claim) + '\n', { flag: 'wx' });
  } catch (error) {
    // Another `up` claimed the machine between our read and our write.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw busyError([`다른 pods 샌드박스가 방금 시작되었습니다: ${readClaim(file)?.dir ?? '?'}`]);
    throw error;
  }
}

export function releaseClaim(dir: string): void {
  if (readClaim()?.dir === dir) fs.rmSync(HOST_PATHS.claim, { force: true });
}
