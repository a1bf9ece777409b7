import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError, UsageError } from '../lib/errors.ts';
import type { Io } from '../lib/io.ts';
import { Status } from '../lib/status.ts';
import { apiReady, loadKubeConfig, serverOf, serverVersion, waitForDefaultSA } from './api.ts';
import type { Handler } from './cli.ts';
import { teardown } from './down.ts';
import { upKind } from './kind/cluster.ts';
import { dockerAnswers } from './kind/engine.ts';
import { startSmallKubelet } from './kubelet/launch.ts';
import { upPods } from './pods/provider.ts';
import { buildKwokBinaries, createKwokCluster, kwokPorts, seedKubeProxy } from './kwok.ts';
import { isRecorded, recordProcess } from './procs.ts';
import { kwokPids, sandboxPaths, type SandboxPaths } from './sandbox.ts';
import { healthOf } from './status.ts';
import { clusterCommand, DEFAULT_SANDBOX, readSandbox, writeSandbox, type SandboxState } from './state.ts';
import { COMPONENTS, resolveKubernetes, type KubernetesRelease } from './versions.ts';
import { availableRunbooks } from '../model/runbooks.ts';
import { projectRoot } from '../lib/paths.ts';

/** What the kwok provider simulates and what is real, in Korean, copied into every report (kind: kind/cluster.ts). */
const kwokSimulation = (release: KubernetesRelease) => ({
  simulated: [
    'kwok이 노드와 kubelet을 흉내 냅니다: 파드 상태를 Running으로 표시합니다(컨테이너는 실행되지 않음)',
    '컨테이너가 없으므로 서비스 주소의 ARP 응답도, 그 주소로의 접속도 일어나지 않습니다',
    'kube-proxy는 실행되지 않습니다: kube-system/kube-proxy ConfigMap은 kubeadm이 쓰는 모양으로 미리 만들어 둔 것입니다',
  ],
  real: [
    `etcd ${COMPONENTS.etcd}, kube-apiserver, kube-controller-manager, kube-scheduler (Kubernetes ${release.kubernetes})`,
  ],
});

async function upKwok(
  name: string,
  release: KubernetesRelease,
  p: SandboxPaths,
  io: Io,
  status: Status,
): Promise<SandboxState> {
  const bins = await buildKwokBinaries(release, io, status);
  await createKwokCluster(name, p, bins, io, status);
  const context = `kwok-${name}`;
  const kwokLogs = path.join(p.kwokWorkdir, 'clusters', name, 'logs');
  const server = serverOf(p.kubeconfig, context);
  if (!server)
    throw new EnvironmentError('KWOK_NO_CONTEXT', `kwokctl이 ${p.kubeconfig}에 컨텍스트 ${context}를 쓰지 않았습니다.`);
  const kc = loadKubeConfig(p.kubeconfig);
  kc.setCurrentContext(context);
  await waitForDefaultSA(kc, status, 2, 'KWOK_NOT_READY', `kube-controller-manager 로그: ${kwokLogs}`);
  await seedKubeProxy(p, bins.kubeBin, server, io, status);
  const kubelet = await status.step('작은 kubelet 시작 (런북이 밝힌 이미지의 파드를 로컬 바이너리로 실행)', () =>
    startSmallKubelet(p, io.env),
  );
  return {
    name,
    provider: 'kwok',
    kubernetes: await serverVersion(kc),
    context,
    kubeconfig: p.kubeconfig,
    server,
    binDir: bins.kubeBin,
    createdAt: new Date().toISOString(),
    // With their start times: `down` signals a recorded pid only while it is still that process.
    processes: [
      ...kwokPids(p.kwokWorkdir, name).map((c) =>
        isRecorded(c) ? recordProcess(c.name, c.pid) : { name: c.name, pid: c.pid },
      ),
      kubelet,
    ],
    ports: kwokPorts(p.kwokWorkdir, name),
    logs: {
      'small-kubelet': path.join(p.logs, 'kubelet.log'),
      'kube-apiserver': path.join(kwokLogs, 'kube-apiserver.log'),
      'kube-controller-manager': path.join(kwokLogs, 'kube-controller-manager.log'),
      'kwok-controller': path.join(kwokLogs, 'kwok-controller.log'),
    },
    // A kwok node's kubelet API is kwok's own and holds no logs: runbooks read the controller's here.
    containerLogs: {
      dir: p.podLogs,
      writer: 'kwok 샌드박스의 작은 kubelet',
      absent: 'kwok 이 흉내 낸 파드라 컨테이너가 실행되지 않았습니다',
    },
    simulation: kwokSimulation(release),
  };
}

/** Prints where the sandbox is (stdout) and what to run next (stderr). */
function printSummary(state: SandboxState, io: Io): void {
  io.out(`context: ${state.context}\nkubeconfig: ${state.kubeconfig}\n`);
  io.err(
    `\n다음으로 실행하세요:\n${availableRunbooks(projectRoot)
      .map((n) => `  npm run runbook -- ${n}${state.name === DEFAULT_SANDBOX ? '' : ` --sandbox ${state.name}`}\n`)
      .join('')}` +
      `kubectl로 직접 보려면:\n  kubectl --kubeconfig ${state.kubeconfig} get nodes\n` +
      `끝나면:\n  ${clusterCommand('down', state.name)}\n`,
  );
}

export const up: Handler<'up'> = async (cmd, io) => {
  const status = new Status(io);
  const release = resolveKubernetes(cmd.kubernetes);
  const p = sandboxPaths(cmd.name, io.env);
  const existing = readSandbox(cmd.name, io.env);
  if (existing) {
    const health = await healthOf(existing, io.env);
    if (health.apiReachable && health.deadProcesses.length === 0) {
      if (
        (cmd.provider && cmd.provider !== existing.provider) ||
        (cmd.kubernetes !== undefined && existing.kubernetes !== release.kubernetes)
      ) {
        throw new UsageError(
          'CLUSTER_ALREADY_UP',
          `샌드박스 "${cmd.name}"는 이미 ${existing.provider} / ${existing.kubernetes}로 실행 중입니다 (요청: ${cmd.provider ?? existing.provider} / ${release.kubernetes}).`,
          `먼저 내리세요: npm run cluster -- down --name ${cmd.name}  또는 다른 --name 을 쓰세요.`,
        );
      }
      status.ok(
        `샌드박스 "${cmd.name}"는 이미 실행 중입니다 (${existing.provider}, ${existing.kubernetes}). 아무것도 바꾸지 않았습니다.`,
      );
      printSummary(existing, io);
      return 0;
    }
    status.info(`샌드박스 "${cmd.name}"가 남아 있지만 동작하지 않습니다 (${health.summary}). 정리하고 다시 만듭니다.`);
  } else if (fs.existsSync(p.dir)) status.info(`이전 실패에서 남은 ${p.dir}를 정리합니다.`);
  if (fs.existsSync(p.dir)) await teardown(cmd.name, io, status);
  // A broken sandbox is recreated with the provider it had (a pods sandbox must not come back as kwok).
  const provider = cmd.provider ?? existing?.provider ?? ((await dockerAnswers(io.env)) ? 'kind' : 'kwok');
  status.info(
    cmd.provider || existing
      ? `프로바이더: ${provider}`
      : `프로바이더: ${provider} (${provider === 'kind' ? '컨테이너 엔진이 응답함' : '`docker info`가 응답하지 않음 → Docker 없이 kwok'})`,
  );
  fs.mkdirSync(p.dir, { recursive: true });
  fs.writeFileSync(p.provider, `${provider} ${release.kubernetes}\n`);
  let state: SandboxState;
  try {
    state =
      provider === 'kwok'
        ? await upKwok(cmd.name, release, p, io, status)
        : provider === 'pods'
          ? await upPods(cmd.name, release, p, io, status)
          : await upKind(cmd.name, release, p, cmd.retain, io, status);
    if (!(await apiReady(loadKubeConfig(p.kubeconfig))))
      throw new EnvironmentError('CLUSTER_NOT_READY', `API 서버(${state.server})가 /readyz에 응답하지 않습니다.`);
  } catch (error) {
    if (cmd.retain) {
      status.info(
        `--retain: 만들다 만 샌드박스를 남겨 두었습니다: ${p.dir}\n  다 보고 나면: npm run cluster -- down --name ${cmd.name}`,
      );
    } else {
      status.info('만들다 만 샌드박스를 지웁니다 (남기려면 --retain).');
      await teardown(cmd.name, io, status).catch((e: Error) => status.fail(`정리 실패: ${e.message}`));
    }
    throw error;
  }
  writeSandbox(state, io.env);
  status.ok(`샌드박스 "${cmd.name}" 준비 완료: ${state.provider}, Kubernetes ${state.kubernetes}`);
  printSummary(state, io);
  return 0;
};
