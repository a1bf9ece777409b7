import { run } from '../lib/process.ts';
import { median } from './latency.ts';
import { timed } from './timed.ts';

/**
 * What each start-up device a run still has saves, in seconds a user waits, measured against doing
 * without it (the devices that saved under 0.3 s were removed: the CLI bundle, 0.22 s on a dry run,
 * and the parsed-page cache, 0.09 s). Each figure is a median of `runs` child processes.
 */
export interface StartupDevices {
  /** Importing @kubernetes/client-node as a package, and from the runner's bundle of it (lib/client.ts). */
  clientImport: { pkg: number[]; bundle: number[] };
  /** One API request over the run's one kept-alive connection, and with a new agent per request (runbook/kube.ts); per request. */
  apiRequest: { kept: number[]; fresh: number[] };
  /** One `kubectl edit` applied by a Node editor per edit instead of the runner's edit server: its start alone. */
  nodeEditor: number[];
}

const child = (code: string) => `const t0 = performance.now(); ${code}; console.log(performance.now() - t0);`;

export async function measureStartup(
  root: string,
  kubeconfig: string,
  bundle: string,
  runs: number,
): Promise<StartupDevices> {
  const here = { cwd: root, env: process.env };
  const stdout = async (args: string[]) => (await run(process.execPath, args, here)).stdout.trim();
  const imported = async (what: string) =>
    Number(await stdout(['--input-type=module', '-e', child(`await import(${JSON.stringify(what)})`)]));
  const out: StartupDevices = {
    clientImport: { pkg: [], bundle: [] },
    apiRequest: { kept: [], fresh: [] },
    nodeEditor: [],
  };
  for (let i = 0; i < runs; i++) {
    out.clientImport.pkg.push(await imported('@kubernetes/client-node'));
    out.clientImport.bundle.push(await imported(bundle));
    // The editor's own start: Node, the YAML library and edit-apply.ts (what the edit server saves per edit).
    out.nodeEditor.push(
      (await timed(process.execPath, ['-e', "await import('./scripts/runbook/edit-apply.ts')"], here)).ms,
    );
    const api = (await stdout(['scripts/bench/startup-api.ts', kubeconfig])).split(' ').map(Number);
    out.apiRequest.kept.push(api[0] ?? NaN);
    out.apiRequest.fresh.push(api[1] ?? NaN);
  }
  return out;
}

export const startupLines = (d: StartupDevices, editsPerRun: number): string[] => {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const clientSaves = median(d.clientImport.pkg) - median(d.clientImport.bundle);
  const perRequest = median(d.apiRequest.fresh) - median(d.apiRequest.kept);
  return [
    '## 남은 시작 장치와 그 값',
    '',
    '아끼는 시간이 0.3 s 아래인 장치는 지웠습니다: CLI 묶음(esbuild, `--dry-run` 에서 0.22 s)과 읽은 페이지의 캐시(0.09 s). 남은 것:',
    '',
    '| 장치 | 없을 때 | 있을 때 | 아끼는 시간 |',
    '|---|---|---|---|',
    `| API 클라이언트 묶음 (\`scripts/lib/client.ts\`): 런북과 작은 kubelet 이 시작할 때마다 | 패키지 import ${s(median(d.clientImport.pkg))} | 묶음 import ${s(median(d.clientImport.bundle))} | 시작마다 ${s(clientSaves)} |`,
    `| 실행 내내 한 API 연결 (\`scripts/runbook/kube.ts\`) | 요청마다 ${median(d.apiRequest.fresh).toFixed(1)} ms | 요청마다 ${median(d.apiRequest.kept).toFixed(1)} ms | 요청마다 ${perRequest.toFixed(1)} ms (한 실행의 기다림·객체 확인·로그 읽기가 수백 번 요청합니다) |`,
    `| 편집 서버 (\`scripts/runbook/edit-server.ts\`): 편집마다 Node 를 띄우지 않음 | Node 편집기 시작 ${s(median(d.nodeEditor))} | bash 편집기 (위 "kubectl edit" 표) | 한 실행(편집 ${editsPerRun}번)에 약 ${s(median(d.nodeEditor) * editsPerRun)} |`,
    '',
  ];
};
