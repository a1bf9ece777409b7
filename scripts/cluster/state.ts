import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeAtomic } from '../lib/fs.ts';
import { cacheDir } from '../lib/paths.ts';
import type { Env } from '../lib/process.ts';

/**
 * What `npm run cluster -- up` leaves for every other command (runbook, verify, bench) in
 * `<cache>/sandbox/<name>/state.json`, the kubeconfig beside it; nothing here points into ~/.kube.
 */
export const SandboxState = z.object({
  /** Sandbox name; one folder per name under `<cache>/sandbox/`. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  /** Which provider made it. `kwok` simulates nodes and kubelets; `kind` runs real nodes in containers; `pods` runs a real kubelet, containerd and runc in network namespaces of this machine. */
  provider: z.enum(['kwok', 'kind', 'pods']),
  /** Kubernetes server version, as the API server reports it (e.g. `v1.37.0`). */
  kubernetes: z.string().regex(/^v\d+\.\d+\.\d+/),
  /** kubeconfig context to use (the file's current-context too). */
  context: z.string(),
  /** Absolute path of the project-local kubeconfig. */
  kubeconfig: z.string(),
  /** API server URL (always loopback for kwok). */
  server: z.string(),
  /** Folder holding a kubectl built for this version; prepended to PATH when running against the sandbox. */
  binDir: z.string().optional(),
  createdAt: z.string(),
  /** Processes to stop, with start times (/proc/<pid>/stat): `down` signals a pid only while it is still that process. */
  processes: z
    .array(z.object({ name: z.string(), pid: z.number().int(), start: z.number().int().optional() }))
    .default([]),
  /** Loopback TCP ports the sandbox's processes listen on; `down` waits until each is closed. */
  ports: z.array(z.number().int()).optional(),
  /** The sandbox's own component logs, for people and error hints (`small-kubelet`, `kube-apiserver`). */
  logs: z.record(z.string(), z.string()).default({}),
  /**
   * Container logs the provider writes itself because the API cannot serve them (kwok: a node's kubelet API
   * is kwok's own); read only after the API gave none. Absent where the API serves them all (pods, kind).
   */
  containerLogs: z
    .object({
      /** Folder in the kubelet's /var/log/pods layout (see `containerLogFiles`), plain text. */
      dir: z.string(),
      /** Who wrote them, for the header of a kept log: `kwok 샌드박스의 작은 kubelet`. */
      writer: z.string(),
      /** What a pod without a folder here means, in one sentence. */
      absent: z.string(),
    })
    .optional(),
  /**
   * kind on the project's own Docker daemon (kind/engine.ts): its socket, and the network namespace
   * holding the kind network's bridge side (where a browser step's requests start).
   */
  docker: z.object({ host: z.string(), netns: z.string() }).optional(),
  /** kind: whether the nodes pull images (false: the node image and the runbook's images were built here). */
  pulls: z.boolean().optional(),
  /** What this provider simulates and what is real, in Korean, for every report. */
  simulation: z.object({ simulated: z.array(z.string()), real: z.array(z.string()) }).optional(),
});
export type SandboxState = z.infer<typeof SandboxState>;

export const DEFAULT_SANDBOX = 'vdocs';

/** `npm run cluster -- VERB` for a sandbox, naming it only when it is not the default one. */
export function clusterCommand(verb: 'up' | 'down' | 'status', name: string): string {
  return `npm run cluster -- ${verb}${name === DEFAULT_SANDBOX ? '' : ` --name ${name}`}`;
}

export function sandboxDir(name: string, env: Env = process.env): string {
  return path.join(cacheDir(env), 'sandbox', name);
}

const stateFile = (name: string, env: Env) => path.join(sandboxDir(name, env), 'state.json');

export function readSandbox(name: string, env: Env = process.env): SandboxState | undefined {
  const file = stateFile(name, env);
  if (!fs.existsSync(file)) return undefined;
  return SandboxState.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** Writes the state atomically (temp file + rename) so a reader never sees half a file. */
export function writeSandbox(state: SandboxState, env: Env): void {
  writeAtomic(stateFile(state.name, env), JSON.stringify(SandboxState.parse(state), null, 2) + '\n');
}

/**
 * Environment for kubectl against a sandbox: its kubeconfig and its own discovery cache
 * (kubectl's default cache is keyed by host:port, which sandboxes of other versions reuse).
 */
export function sandboxEnv(state: Pick<SandboxState, 'kubeconfig'>): { KUBECONFIG: string; KUBECACHEDIR: string } {
  return { KUBECONFIG: state.kubeconfig, KUBECACHEDIR: path.join(path.dirname(state.kubeconfig), 'kube-cache') };
}

/** `kubectl ARGS` against a sandbox with its own kubectl build; throws with stderr on failure. For tools and tests. */
export function sandboxKubectl(
  state: Pick<SandboxState, 'kubeconfig' | 'binDir'>,
  args: string[],
  input?: string,
): string {
  const r = spawnSync(path.join(state.binDir ?? '', 'kubectl'), ['--kubeconfig', state.kubeconfig, ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, ...sandboxEnv(state) },
  });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} 실패 (종료 코드 ${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** `pod.json` in a pod's log folder: which pod it was, so its logs can be found by label without the API. */
export const LoggedPod = z.object({
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  labels: z.record(z.string(), z.string()).default({}),
  /** When its containers were stopped for good (the pod was deleted); absent while it runs. */
  stoppedAt: z.string().optional(),
});
export type LoggedPod = z.infer<typeof LoggedPod>;

/**
 * Where a provider that runs containers itself keeps their output, as the kubelet lays out
 * /var/log/pods: `<dir>/<namespace>_<pod>_<uid>/<container>/<restart>.log` (0.log, then 1.log
 * after the first restart, …) and `pod.json` beside the container folders.
 */
export function containerLogFiles(dir: string, pod: Pick<LoggedPod, 'namespace' | 'name' | 'uid'>) {
  const folder = path.join(dir, `${pod.namespace}_${pod.name}_${pod.uid}`);
  return {
    folder,
    record: path.join(folder, 'pod.json'),
    log: (container: string, restart: number) => path.join(folder, container, `${restart}.log`),
  };
}
