import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import { writeAtomic } from '../../lib/fs.ts';
import type { Io } from '../../lib/io.ts';
import { cacheDir } from '../../lib/paths.ts';
import { isAlive, run, which, type Env } from '../../lib/process.ts';
import type { Status } from '../../lib/status.ts';
import { acquireLock } from '../lock.ts';
import { processesWhere, recordProcess, isRecorded, type ProcessRecord } from '../procs.ts';
import { liveClaim } from '../pods/host.ts';
import { startDaemon, assertAlive, logTail } from '../pods/launch.ts';
import { deleteNetns, netnsFile } from '../pods/namespaces.ts';
import { stopProcesses, waitFor } from '../sandbox.ts';

/**
 * The container engine kind runs on: the user's Docker when one answers, else, on a Linux machine
 * where we are root, a Docker daemon of the project's own (Debian's docker.io), started so that it
 * changes nothing of the machine:
 *
 * - it lives in a network namespace of its own (`vdocs-docker`): its bridges, iptables rules, the
 *   kind network on the page's subnet (192.168.35.0/24) and every ARP and packet for it stay there,
 *   with no route out (so nothing is ever pulled: images are built here, see node-image.ts);
 * - and in a mount namespace of its own, with a private tmpfs on /run and a project folder over
 *   /etc/docker: its sockets, shims, runc state and trust key never touch the machine's;
 * - its data root, socket and log are under `<cache>/docker/`; container cgroups under a parent
 *   of its own (`vdocs-docker`), removed when it stops;
 * - it is shared by every kind sandbox of this checkout (one per machine) and stops when the last
 *   of them goes down (`releaseEngine`).
 *
 * The host reaches it only through its socket; the API server through a forwarder
 * (netns-forward), and the page's addresses from inside its namespace (the bridge's side of the
 * kind network, where a GitHub runner's host would sit).
 */

/** The engine kind's commands run against: environment for `docker`/`kind`, and whether it is ours. */
export interface Engine {
  env: Env;
  /** The project's own daemon (in its network namespace): the client side of the kind network is that namespace. */
  own: boolean;
}

export const ENGINE_NETNS = 'vdocs-docker';
/** Which checkout's daemon holds the machine (its `<cache>/docker` folder and pid). */
export const ENGINE_CLAIM = '/run/vdocs-docker.owner';
const CGROUP_PARENT = 'vdocs-docker';
/** Debian packages of the project's own daemon and of the offline node image (node-image.ts). */
export const ENGINE_PACKAGES = ['docker.io', 'mmdebstrap'];
const TOOLS = ['dockerd', 'docker', 'nsenter', 'unshare', 'ip', 'mount', 'umount'];

export function enginePaths(env: Env) {
  const dir = path.join(cacheDir(env), 'docker');
  return {
    dir,
    data: path.join(dir, 'data'),
    /** Mounted over /etc/docker in the daemon's mount namespace (dockerd writes its key.json there). */
    etc: path.join(dir, 'etc'),
    config: path.join(dir, 'daemon.json'),
    runc: path.join(dir, 'runc'),
    socket: path.join(dir, 'docker.sock'),
    log: path.join(dir, 'dockerd.log'),
    record: path.join(dir, 'record.json'),
    /** One file per kind sandbox using the daemon; the daemon stops when none is left. */
    users: path.join(dir, 'users'),
    lock: path.join(dir, 'lock'),
  };
}

/** What `down` and a stale start need to undo a daemon: everything is written before it is made. */
interface EngineRecord {
  daemon?: ProcessRecord;
  /** `mnt:[N]` of the daemon's mount namespace: every process left in it is ours. */
  mountNs?: string;
  /** Cgroup folders its containers live under (one per hierarchy), removed deepest first. */
  cgroups: string[];
  /** Host paths that did not exist before, in creation order (/run/netns, the namespace file). */
  created: string[];
}

function readRecord(file: string): EngineRecord {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as EngineRecord;
  } catch {
    return { cgroups: [], created: [] };
  }
}

export const ownEngineEnv = (env: Env): Env => ({ ...env, DOCKER_HOST: `unix://${enginePaths(env).socket}` });

/** Whether `docker info` answers within a few seconds for this environment. */
export async function dockerAnswers(env: Env): Promise<boolean> {
  const docker = which('docker', env);
  if (!docker) return false;
  try {
    const res = await run(docker, ['info', '--format', '{{.ServerVersion}}'], {
      env,
      signal: AbortSignal.timeout(5000),
    });
    return res.code === 0 && res.stdout.trim() !== '';
  } catch {
    return false;
  }
}

/** Why the project's own daemon cannot run here (empty when it can). */
function cannotStartEngine(env: Env): string[] {
  const reasons: string[] = [];
  if (process.platform !== 'linux') reasons.push('Linux 가 아닙니다');
  if (process.getuid?.() !== 0) reasons.push('root 권한이 아닙니다 (네트워크·마운트 네임스페이스를 만들어야 합니다)');
  const missing = TOOLS.filter((t) => !which(t, env));
  if (missing.length)
    reasons.push(`필요한 명령이 없습니다: ${missing.join(', ')} (apt-get install ${ENGINE_PACKAGES.join(' ')})`);
  if (env.DOCKER_HOST) reasons.push(`DOCKER_HOST=${env.DOCKER_HOST} 가 응답하지 않습니다`);
  return reasons;
}

/** What holds the machine so that our daemon may not start (another checkout's daemon, a pods sandbox). */
function machineHolders(dir: string): string[] {
  const holders: string[] = [];
  const claim = readEngineClaim();
  if (claim && claim.dir !== dir && fs.existsSync(claim.dir))
    holders.push(
      `다른 체크아웃의 Docker 데몬이 실행 중입니다: ${claim.dir} (그곳에서 kind 샌드박스를 내리세요: npm run cluster -- down)`,
    );
  const pods = liveClaim();
  if (pods)
    holders.push(
      `pods 샌드박스가 머신을 쓰고 있습니다: ${pods.dir} (pods 와 kind 는 함께 실행하지 않습니다. 먼저 내리세요: npm run cluster -- down)`,
    );
  if (!claim && fs.existsSync(netnsFile(ENGINE_NETNS)))
    holders.push(
      `네트워크 네임스페이스 ${netnsFile(ENGINE_NETNS)} 가 이미 있습니다 (이 프로젝트가 만든 기록은 없습니다)`,
    );
  return holders;
}

export function readEngineClaim(): { dir: string; pid: number } | undefined {
  try {
    const c = JSON.parse(fs.readFileSync(ENGINE_CLAIM, 'utf8')) as { dir?: unknown; pid?: unknown };
    return typeof c.dir === 'string' && typeof c.pid === 'number' ? { dir: c.dir, pid: c.pid } : undefined;
  } catch {
    return undefined;
  }
}

/** Our own runc in front of Debian's: drops CAP_SYS_RESOURCE from what a container asks for, when the machine withholds it (kind's nodes are privileged). */
function runcWrapper(runc: string): string {
  return [
    '#!/bin/sh',
    "# runc for the project's Docker daemon (scripts/cluster/kind/engine.ts): this machine withholds",
    '# CAP_SYS_RESOURCE even from root, and a privileged container asks for every capability, so the',
    "# bundle's config.json (create, run) and an exec's process.json (--process) lose it first.",
    'prev=',
    'for arg in "$@"; do',
    '  case "$prev" in',
    '    --bundle|-b) spec="$arg/config.json" ;;',
    '    --process|-p) spec="$arg" ;;',
    '    *) spec= ;;',
    '  esac',
    '  [ -n "$spec" ] && [ -f "$spec" ] && sed -i \'s/,"CAP_SYS_RESOURCE"//g; s/"CAP_SYS_RESOURCE",//g; s/"CAP_SYS_RESOURCE"//g\' "$spec"',
    '  prev=$arg',
    'done',
    `exec ${runc} "$@"`,
    '',
  ].join('\n');
}

/** Whether this machine withholds CAP_SYS_RESOURCE (bit 24 of the bounding set) from root. */
export function withholdsSysResource(): boolean {
  try {
    const bnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
    return bnd !== undefined && ((BigInt(`0x${bnd}`) >> 24n) & 1n) === 0n;
  } catch {
    return false;
  }
}

/** Cgroup folders our containers go under: `<parent of the daemon's cgroup>/vdocs-docker` in every hierarchy mounted at /sys/fs/cgroup. */
function cgroupParents(pid: number): string[] {
  let lines: string[];
  try {
    lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  } catch {
    return [];
  }
  const own = [...new Set(lines.map((l) => l.split(':').slice(2).join(':')))];
  const mounts = fs.existsSync('/sys/fs/cgroup')
    ? fs.readdirSync('/sys/fs/cgroup').map((m) => path.join('/sys/fs/cgroup', m))
    : [];
  const found: string[] = [];
  for (const m of mounts)
    for (const p of own) if (fs.existsSync(path.join(m, p, 'cgroup.procs'))) found.push(path.join(m, p, CGROUP_PARENT));
  return [...new Set(found)];
}

/** Every folder under `dir`, deepest first (a cgroup is removed with rmdir once it is empty). */
function treeDeepestFirst(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return [...entries.filter((e) => e.isDirectory()).flatMap((e) => treeDeepestFirst(path.join(dir, e.name))), dir];
}

function cgroupProcs(dirs: string[]): number[] {
  const pids = new Set<number>();
  for (const dir of dirs.flatMap(treeDeepestFirst)) {
    try {
      for (const l of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n'))
        if (l.trim()) pids.add(Number(l));
    } catch {
      /* removed meanwhile */
    }
  }
  return [...pids].filter((p) => p !== process.pid);
}

const nsOf = (pid: number, ns: 'mnt' | 'net') => {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/${ns}`);
  } catch {
    return undefined;
  }
};

/**
 * The engine for a kind sandbox, started if need be: the user's Docker when it answers; else the
 * project's own daemon (shared; `sandbox` is added to its users). Refuses, with the reasons and the
 * fix, where neither can be had.
 */
export async function acquireEngine(sandbox: string, io: Io, status: Status): Promise<Engine> {
  if (await dockerAnswers(io.env)) return { env: io.env, own: false };
  const reasons = cannotStartEngine(io.env);
  if (reasons.length) {
    throw new EnvironmentError(
      'KIND_NO_ENGINE',
      `kind 프로바이더에는 동작하는 컨테이너 엔진이 필요하지만 \`docker info\`가 응답하지 않고, 이 프로젝트의 Docker 데몬도 시작할 수 없습니다: ${reasons.join('; ')}.`,
      `Docker 를 시작하세요. root 인 Linux 머신에서는 ${ENGINE_PACKAGES.join(', ')} 를 설치하면 (apt-get install --no-install-recommends ${ENGINE_PACKAGES.join(' ')}) 이 프로젝트가 자기 네트워크 네임스페이스에 Docker 데몬을 띄웁니다. Docker 없이 쓰려면 --provider kwok 를 쓰세요.`,
    );
  }
  const p = enginePaths(io.env);
  fs.mkdirSync(p.users, { recursive: true });
  const release = await acquireLock(p.lock, io.signal, (holder) =>
    status.info(`Docker 데몬: 다른 프로세스(pid ${holder})가 시작하거나 멈추는 중입니다. 기다립니다.`),
  );
  try {
    writeAtomic(path.join(p.users, sandbox), `${sandbox}\n`);
    const env = ownEngineEnv(io.env);
    const record = readRecord(p.record);
    if (record.daemon && isRecorded(record.daemon) && (await dockerAnswers(env))) return { env, own: true };
    if (fs.existsSync(p.record)) await stopEngine(io.env, status); // a dead or stuck daemon: undo it first
    await startEngine(io, status);
    return { env, own: true };
  } finally {
    release();
  }
}

async function startEngine(io: Io, status: Status): Promise<void> {
  const p = enginePaths(io.env);
  if (`unix://${p.socket}`.length > 100) {
    throw new EnvironmentError(
      'KIND_ENGINE_SOCKET_PATH',
      `Docker 소켓 경로가 유닉스 소켓 한도(107바이트)를 넘습니다: ${p.socket}`,
      'VDOCS_CACHE_DIR 를 짧은 경로로 지정하세요 (예: VDOCS_CACHE_DIR=/var/tmp/vdocs).',
    );
  }
  const holders = machineHolders(p.dir);
  if (holders.length)
    throw new EnvironmentError(
      'KIND_MACHINE_BUSY',
      `이 프로젝트의 Docker 데몬을 시작할 수 없습니다:\n  - ${holders.join('\n  - ')}`,
    );
  const runc = which('runc', io.env) ?? '/usr/sbin/runc';
  await status.step(
    `Docker 데몬 시작 (네트워크 네임스페이스 ${ENGINE_NETNS}, 자기 /run, 데이터 ${p.data})`,
    async () => {
      const record: EngineRecord = { cgroups: [], created: [] };
      const save = () => writeAtomic(p.record, `${JSON.stringify(record, null, 2)}\n`);
      const file = await prepareEngineHost(p, record, save, io.env);
      writeEngineConfig(p, runc);
      const daemon = launchDockerd(p, file, io.env);
      record.daemon = recordProcess('dockerd', daemon.pid);
      save();
      const env = ownEngineEnv(io.env);
      const ok = await waitFor(
        async () => {
          io.signal.throwIfAborted();
          assertAlive(daemon);
          return dockerAnswers(env);
        },
        60_000,
        300,
      );
      if (!ok)
        throw new EnvironmentError(
          'KIND_ENGINE_FAILED',
          `Docker 데몬이 1분 안에 응답하지 않습니다. 로그 ${daemon.log} 의 끝:\n    ${logTail(daemon.log)}`,
        );
      record.mountNs = nsOf(daemon.pid, 'mnt');
      record.cgroups = cgroupParents(daemon.pid);
      save();
    },
  );
  status.info(`Docker 데몬: DOCKER_HOST=unix://${p.socket} (이 머신의 네트워크와 /run 은 건드리지 않습니다)`);
}

type EnginePaths = ReturnType<typeof enginePaths>;

/** The daemon's folders, the machine's claim and its network namespace, each recorded before it is made. */
async function prepareEngineHost(p: EnginePaths, record: EngineRecord, save: () => void, env: Env): Promise<string> {
  fs.mkdirSync(p.etc, { recursive: true });
  fs.mkdirSync(p.data, { recursive: true });
  save();
  writeAtomic(ENGINE_CLAIM, `${JSON.stringify({ dir: p.dir, pid: process.pid })}\n`);
  for (const dir of ['/run/netns', '/run/mount']) {
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      record.created.push(dir);
    }
  }
  const file = netnsFile(ENGINE_NETNS);
  fs.writeFileSync(file, '', { flag: 'wx' });
  record.created.push(file);
  save();
  const made = await run('unshare', [`--net=${file}`, 'true'], { env });
  if (made.code !== 0)
    throw new EnvironmentError(
      'KIND_ENGINE_FAILED',
      `네트워크 네임스페이스 ${file} 를 만들지 못했습니다: ${made.stderr.trim()}`,
    );
  return file;
}

/** daemon.json (and the runc wrapper where the machine withholds CAP_SYS_RESOURCE). */
function writeEngineConfig(p: EnginePaths, runc: string): void {
  const sysResource = withholdsSysResource();
  if (sysResource) fs.writeFileSync(p.runc, runcWrapper(runc), { mode: 0o755 });
  writeAtomic(
    p.config,
    `${JSON.stringify(
      {
        'data-root': p.data,
        hosts: [`unix://${p.socket}`],
        pidfile: '/run/docker.pid',
        bridge: 'none',
        'cgroup-parent': CGROUP_PARENT,
        'log-level': 'warn',
        ...(sysResource ? { runtimes: { 'vdocs-runc': { path: p.runc } }, 'default-runtime': 'vdocs-runc' } : {}),
      },
      null,
      2,
    )}\n`,
  );
}

/** dockerd in the namespace `file`, in a mount namespace of its own. */
function launchDockerd(p: EnginePaths, file: string, env: Env) {
  fs.rmSync(p.socket, { force: true });
  // nsenter (network only: `ip netns exec` would remount /sys and hide the cgroups), then a mount
  // namespace whose /run and /etc/docker are the daemon's own; exec keeps the daemon's pid.
  const script = [
    'set -eu',
    'mount -t tmpfs -o mode=0755 tmpfs /run',
    `mount --bind ${p.etc} /etc/docker`,
    'ip link set lo up',
    `exec dockerd --config-file ${p.config}`,
  ].join('\n');
  if (!fs.existsSync('/etc/docker'))
    throw new EnvironmentError(
      'KIND_ENGINE_FAILED',
      '/etc/docker 가 없습니다: Debian 의 docker.io 패키지를 설치하세요.',
      `apt-get install --no-install-recommends ${ENGINE_PACKAGES.join(' ')}`,
    );
  const args = ['--', 'unshare', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', script];
  return startDaemon('dockerd', ['nsenter', `--net=${file}`, ...args], p.dir, env);
}

/** Drops `sandbox` from the daemon's users; stops the daemon when no kind sandbox of this checkout uses it any more. */
export async function releaseEngine(sandbox: string, io: Io, status: Status): Promise<void> {
  const p = enginePaths(io.env);
  if (!fs.existsSync(p.record) && !fs.existsSync(p.users)) return;
  const release = await acquireLock(p.lock, io.signal);
  try {
    fs.rmSync(path.join(p.users, sandbox), { force: true });
    const left = fs.existsSync(p.users) ? fs.readdirSync(p.users) : [];
    if (left.length === 0 && fs.existsSync(p.record))
      await status.step('Docker 데몬 멈추기 (이 체크아웃의 kind 샌드박스가 더 없음)', () => stopEngine(io.env, status));
  } finally {
    release();
  }
}

/**
 * Stops the project's daemon and undoes everything it made, in the order that leaves nothing:
 * containers and the kind network, the daemon, any process left in its cgroups or namespaces, the
 * cgroups, the namespace file and the host folders created for it. Throws naming what is left.
 */
async function stopEngine(env: Env, status?: Status): Promise<void> {
  const p = enginePaths(env);
  const record = readRecord(p.record);
  const denv = ownEngineEnv(env);
  const alive = record.daemon && isRecorded(record.daemon);
  if (alive && (await dockerAnswers(denv))) {
    const ids = (await run('docker', ['ps', '-aq'], { env: denv })).stdout.split(/\s+/).filter(Boolean);
    if (ids.length) await run('docker', ['rm', '-f', '-v', ...ids], { env: denv });
    await run('docker', ['network', 'rm', 'kind'], { env: denv });
  }
  if (alive) await stopProcesses([record.daemon!.pid], 20_000);
  const problems = [...(await killStrays(record)), ...removeEngineHostPaths(record)];
  if (problems.length) {
    throw new EnvironmentError(
      'KIND_ENGINE_DOWN_INCOMPLETE',
      `이 프로젝트의 Docker 데몬을 완전히 정리하지 못했습니다:\n  - ${problems.join('\n  - ')}`,
      '다시 실행하세요: npm run cluster -- down. 그래도 남으면 위 항목을 직접 정리하세요.',
    );
  }
  if (readEngineClaim()?.dir === p.dir) fs.rmSync(ENGINE_CLAIM, { force: true });
  for (const f of [p.record, p.socket, p.config, p.runc]) fs.rmSync(f, { force: true });
  status?.info(
    `Docker 데몬: 컨테이너, kind 네트워크, 데몬, cgroup(${CGROUP_PARENT}), 네트워크 네임스페이스 ${ENGINE_NETNS} 를 정리했습니다 (이미지는 ${p.data} 에 남습니다)`,
  );
}

/** SIGKILL to every process left in the daemon's cgroups or namespaces until none is (15 s); what is left, as problems. */
async function killStrays(record: EngineRecord): Promise<string[]> {
  const netns = nsOf(process.pid, 'net');
  const inOurs = (pid: number) => {
    const mnt = nsOf(pid, 'mnt');
    const net = nsOf(pid, 'net');
    return (
      (record.mountNs !== undefined && mnt === record.mountNs) ||
      (net !== undefined && net !== netns && net === engineNetns())
    );
  };
  const stray = () => [...new Set([...cgroupProcs(record.cgroups), ...processesWhere(inOurs)])];
  await waitFor(
    () => {
      const pids = stray();
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      return pids.length === 0;
    },
    15_000,
    250,
  );
  const left = stray().filter(isAlive);
  return left.length ? [`멈추지 않는 프로세스: ${left.join(', ')}`] : [];
}

/** The daemon's cgroups (deepest first), then the host paths it created (newest first); cgroups that stay, as problems. */
function removeEngineHostPaths(record: EngineRecord): string[] {
  const problems: string[] = [];
  for (const dir of record.cgroups.flatMap(treeDeepestFirst)) {
    try {
      fs.rmdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        problems.push(`cgroup ${dir} 를 지울 수 없습니다: ${(error as Error).message}`);
    }
  }
  for (const file of [...record.created].reverse()) {
    if (file.startsWith('/run/netns/')) deleteNetns(file);
    else {
      try {
        fs.rmdirSync(file); // only if empty: something else may have put files there since
      } catch {
        /* gone, or in use */
      }
    }
  }
  return problems;
}

/** `net:[N]` of the daemon's namespace, while its file exists. */
function engineNetns(): string | undefined {
  try {
    const st = fs.statSync(netnsFile(ENGINE_NETNS));
    return `net:[${st.ino}]`;
  } catch {
    return undefined;
  }
}
