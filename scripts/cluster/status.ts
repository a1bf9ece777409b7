import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import { apiReady, loadKubeConfig } from './api.ts';
import type { Handler } from './cli.ts';
import { isAlive, type Env } from '../lib/process.ts';
import type { ProcessRecord } from './procs.ts';
import { kwokPids, sandboxPaths } from './sandbox.ts';
import { clusterCommand, readSandbox, type SandboxState } from './state.ts';

/**
 * The sandbox's processes as they are now: kwokctl's pid files win over the pids recorded at `up`
 * (a component restarted by hand, or by kwokctl, keeps its name but gets a new pid).
 */
export function currentProcesses(state: SandboxState, env: Env): ProcessRecord[] {
  if (state.provider !== 'kwok') return state.processes;
  const live = new Map(kwokPids(sandboxPaths(state.name, env).kwokWorkdir, state.name).map((p) => [p.name, p]));
  return state.processes.map((p) => {
    const now = live.get(p.name);
    return now && now.pid !== p.pid ? now : p;
  });
}

/** Whether its API answers and which of its processes are gone, with a one-line summary. */
export async function healthOf(state: SandboxState, env: Env) {
  let apiReachable = false;
  try {
    const kc = loadKubeConfig(state.kubeconfig);
    kc.setCurrentContext(state.context);
    apiReachable = await apiReady(kc);
  } catch {
    // an unreadable kubeconfig: the API is not reachable
  }
  const deadProcesses = currentProcesses(state, env)
    .filter((p) => !isAlive(p.pid))
    .map((p) => `${p.name}(${p.pid})`);
  const dead = deadProcesses.length ? `, 멈춘 프로세스: ${deadProcesses.join(', ')}` : '';
  return { apiReachable, deadProcesses, summary: `${apiReachable ? 'API 응답함' : 'API 응답 없음'}${dead}` };
}

/** The sandbox's state, or an error saying how to make it. */
export function requireSandbox(name: string, env: Env): SandboxState {
  const state = readSandbox(name, env);
  if (state) return state;
  throw new EnvironmentError(
    'CLUSTER_NOT_UP',
    `샌드박스 "${name}"가 없습니다.`,
    `먼저 만드세요: ${clusterCommand('up', name)}`,
  );
}

export const status: Handler<'status'> = async (cmd, io) => {
  const state = requireSandbox(cmd.name, io.env);
  const health = await healthOf(state, io.env);
  const processes = currentProcesses(state, io.env);
  const lines = [
    `provider: ${state.provider}`,
    `kubernetes: ${state.kubernetes}`,
    `context: ${state.context}`,
    `kubeconfig: ${state.kubeconfig}`,
    `api-server: ${state.server} (${health.apiReachable ? '응답함' : '응답 없음'})`,
    ...(processes.length ? ['processes:'] : []),
    ...processes.map((p) => `  ${p.name}: pid ${p.pid} ${isAlive(p.pid) ? '실행 중' : '멈춤'}`),
  ];
  const kubeletStatus = path.join(sandboxPaths(cmd.name, io.env).kubelet, 'status.json');
  if (fs.existsSync(kubeletStatus)) {
    const s = JSON.parse(fs.readFileSync(kubeletStatus, 'utf8')) as {
      containers: Array<{ pod: string; pid: number | null; restarts: number }>;
    };
    lines.push(
      'small-kubelet containers:',
      ...(s.containers.length
        ? s.containers.map((c) => `  ${c.pod}: ${c.pid ? `pid ${c.pid}` : '재시작 대기'} (재시작 ${c.restarts}회)`)
        : ['  (없음)']),
    );
  }
  const { simulated, real } = state.simulation ?? {};
  if (simulated && real)
    lines.push('simulated:', ...simulated.map((s) => `  - ${s}`), 'real:', ...real.map((s) => `  - ${s}`));
  io.out(lines.join('\n') + '\n');
  return health.apiReachable && health.deadProcesses.length === 0 ? 0 : 1;
};

export const kubeconfig: Handler<'kubeconfig'> = async (cmd, io) => {
  io.out(`${requireSandbox(cmd.name, io.env).kubeconfig}\n`);
  return 0;
};
