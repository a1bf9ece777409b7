import { run } from '../lib/process.ts';
import { timed } from '../lib/timed.ts';

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
