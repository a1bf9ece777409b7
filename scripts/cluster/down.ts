import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import type { Io } from '../lib/io.ts';
import { Status } from '../lib/status.ts';
import type { Handler } from './cli.ts';
import { deleteKindCluster } from './kind/cluster.ts';
import { deleteKwokCluster, kwokPorts } from './kwok.ts';
import { readSmallKubelet } from './kubelet/launch.ts';
import { teardownPods } from './pods/teardown.ts';
import { orElse, ownPids, sandboxProcesses, type ProcessRecord } from './procs.ts';
import { isPortOpen, sandboxPaths, stopProcesses, waitFor, type SandboxPaths } from './sandbox.ts';
import { readSandbox, type SandboxState } from './state.ts';
import { currentProcesses } from './status.ts';

/** The processes state.json recorded; one without a start time (an older state file) is dated by the file. */
function recordedProcesses(state: SandboxState | undefined, p: SandboxPaths, io: Io): ProcessRecord[] {
  if (!state) return [];
  const writtenAt = fs.statSync(p.state, { throwIfNoEntry: false })?.mtimeMs;
  const all: ProcessRecord[] = [...state.processes, ...currentProcesses(state, io.env)];
  return all.map((r) => (r.start === undefined && r.writtenAt === undefined ? { ...r, writtenAt } : r));
}

/**
 * Stops everything a sandbox started and removes its folder, from a full state file, a half-made
 * sandbox or nothing. Order: small kubelet, cluster, recorded processes still the ones recorded, a sweep
 * of processes whose executable lives in the folder (not a `tail -f` of its log); then every port must close.
 */
export async function teardown(name: string, io: Io, status: Status): Promise<{ existed: boolean }> {
  const p = sandboxPaths(name, io.env);
  if (!fs.existsSync(p.dir)) return { existed: false };
  // A corrupt state file must not prevent cleaning up.
  const state = orElse(() => readSandbox(name, io.env), undefined);
  const recorded = recordedProcesses(state, p, io);
  const ports = new Set<number>([...(state?.ports ?? []), ...kwokPorts(p.kwokWorkdir, name)]);
  // The small kubelet's own record covers a half-made sandbox (started, but no state.json yet).
  const kubelet = [...recorded.filter((x) => x.name === 'small-kubelet'), readSmallKubelet(p)].filter(
    (x) => x !== undefined,
  );
  await stopProcesses(ownPids(kubelet, p.dir));
  // Without a state file: the marker `up` writes before anything else (`kind v1.37.0`).
  const marker = fs.existsSync(p.provider) ? fs.readFileSync(p.provider, 'utf8').trim().split(/\s+/) : [];
  const [provider, version] = state ? [state.provider, state.kubernetes] : marker;
  if (provider === 'pods') {
    await status.step('pods 노드 정리 (kubelet → 컨테이너 → containerd → 컨트롤 플레인 → cgroup → 네임스페이스)', () =>
      teardownPods(p, status),
    );
  } else if (provider === 'kind') {
    await deleteKindCluster(name, p, state, version, io, status);
  } else if (fs.existsSync(p.kwokWorkdir)) {
    const pids = await status.step(`kwokctl delete cluster --name ${name}`, () => deleteKwokCluster(name, p, io));
    await stopProcesses(pids);
  }
  const left = await stopProcesses([...new Set([...ownPids(recorded, p.dir), ...sandboxProcesses(p.dir)])]);
  if (left.length) {
    throw new EnvironmentError(
      'CLUSTER_DOWN_STUCK',
      `다음 프로세스가 멈추지 않습니다: ${left.join(', ')}`,
      `수동으로 멈추세요: kill -9 ${left.join(' ')}`,
    );
  }
  const open = async () =>
    (await Promise.all([...ports].map(async (port) => ((await isPortOpen(port)) ? port : 0)))).filter(Boolean);
  if (!(await waitFor(async () => (await open()).length === 0, 10_000, 250))) {
    throw new EnvironmentError(
      'CLUSTER_PORTS_BUSY',
      `포트가 아직 열려 있습니다: ${(await open()).join(', ')}`,
      '다른 프로세스가 쓰고 있는지 확인하세요: ss -ltnp',
    );
  }
  fs.rmSync(p.dir, { recursive: true, force: true });
  return { existed: true };
}

export const down: Handler<'down'> = async (cmd, io) => {
  const status = new Status(io);
  const p = sandboxPaths(cmd.name, io.env);
  if (!fs.existsSync(p.dir)) {
    status.ok(`샌드박스 "${cmd.name}"가 없습니다. 할 일이 없습니다.`);
    return 0;
  }
  await teardown(cmd.name, io, status);
  status.ok(
    `샌드박스 "${cmd.name}"를 내렸습니다: 프로세스와 포트를 모두 정리하고 ${path.relative(io.cwd, p.dir) || p.dir}를 지웠습니다.`,
  );
  return 0;
};
