import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { writeAtomic } from '../../lib/fs.ts';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { adaptContainer } from './adapt.ts';
import { freePorts } from '../sandbox.ts';
import { containerLogFiles, type LoggedPod } from '../state.ts';

/** What a runner needs from the supervisor; injected so tests can fake the API. */
interface RunnerDeps {
  /** TokenRequest for the pod's ServiceAccount, bound to the pod. Never logged. */
  requestToken: (pod: V1Pod) => Promise<{ token: string; expiresAt: Date }>;
  /** Supervisor log (no secrets). */
  log: (line: string) => void;
  /**
   * Folder of the containers' stdout/stderr, in the kubelet's /var/log/pods layout
   * (`<namespace>_<pod>_<uid>/<container>/<restart>.log`, see `containerLogFiles`).
   */
  podLogs: string;
  /** API server URL and CA for the pod's kubeconfig. */
  server: string;
  ca: { data?: string; file?: string };
  /** Folder for this pod's token and kubeconfig (created 0700, removed on stop). */
  podDir: string;
  /** Back-off after an exit, like the kubelet: 10s doubling to 5m, reset after 10m of running. */
  backoff?: { initialMs: number; maxMs: number; resetAfterMs: number };
}

const DEFAULT_BACKOFF = { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

export function podKubeconfig(
  o: Pick<RunnerDeps, 'server' | 'ca'> & { tokenFile: string; namespace: string; user: string },
): string {
  const ca = o.ca.data
    ? { 'certificate-authority-data': o.ca.data }
    : o.ca.file
      ? { 'certificate-authority': o.ca.file }
      : { 'insecure-skip-tls-verify': true };
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'sandbox', cluster: { server: o.server, ...ca } }],
      users: [{ name: o.user, user: { tokenFile: o.tokenFile } }],
      contexts: [{ name: 'pod', context: { cluster: 'sandbox', user: o.user, namespace: o.namespace } }],
      'current-context': 'pod',
    },
    { indentSeq: false },
  );
}

/** Runs one container of one pod as a local process, restarting it until stopped (restartPolicy Always). */
export class PodRunner {
  readonly key: string;
  child: ChildProcess | undefined;
  restarts = 0;
  port = 0;
  private pod: V1Pod;
  private readonly container: V1Container;
  private readonly binary: string;
  private readonly deps: RunnerDeps;
  private readonly tokenFile: string;
  private stopped = false;
  private delayMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(pod: V1Pod, container: V1Container, binary: string, deps: RunnerDeps) {
    this.pod = pod;
    this.container = container;
    this.binary = binary;
    this.deps = deps;
    this.tokenFile = path.join(deps.podDir, 'token');
    this.key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    this.delayMs = (deps.backoff ?? DEFAULT_BACKOFF).initialMs;
  }

  /** Fetches a fresh token and schedules the next refresh at 80% of its lifetime (as the kubelet does). */
  private async refreshToken(): Promise<void> {
    const { token, expiresAt } = await this.deps.requestToken(this.pod);
    writeAtomic(this.tokenFile, token, 0o600);
    const ttl = Math.max(60_000, expiresAt.getTime() - Date.now());
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshToken().catch((e) => this.deps.log(`${this.key}: token refresh failed: ${(e as Error).message}`));
    }, ttl * 0.8);
    this.refreshTimer.unref();
  }

  /** Which pod it is, as its log folder and `pod.json` name it. */
  private get logged(): LoggedPod {
    const m = this.pod.metadata;
    return { namespace: m?.namespace ?? 'default', name: m?.name ?? '', uid: m?.uid ?? '', labels: m?.labels ?? {} };
  }

  private get logFiles() {
    return containerLogFiles(this.deps.podLogs, this.logged);
  }

  /** `pod.json` beside the logs: the pod's labels, so its logs are found by selector even without the API. */
  private writeRecord(stoppedAt?: string): void {
    const record: LoggedPod = { ...this.logged, ...(stoppedAt ? { stoppedAt } : {}) };
    writeAtomic(this.logFiles.record, JSON.stringify(record, null, 2) + '\n');
  }

  async start(): Promise<void> {
    if (this.stopped) return;
    fs.mkdirSync(this.deps.podDir, { recursive: true, mode: 0o700 });
    this.writeRecord();
    await this.refreshToken();
    const { server, ca } = this.deps;
    const namespace = this.logged.namespace;
    const user = `system:serviceaccount:${namespace}:${this.pod.spec?.serviceAccountName ?? 'default'}`;
    const kubeconfig = path.join(this.deps.podDir, 'kubeconfig');
    writeAtomic(kubeconfig, podKubeconfig({ server, ca, tokenFile: this.tokenFile, namespace, user }), 0o600);
    [this.port] = (await freePorts(1)) as [number];
    this.launch(kubeconfig);
  }

  private launch(kubeconfig: string): void {
    if (this.stopped) return;
    const cmd = adaptContainer(this.pod, this.container, { kubeconfig, port: this.port });
    // One file per instance, as the kubelet keeps them: the previous one is `kubectl logs --previous`.
    const file = this.logFiles.log(this.container.name, this.restarts);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const out = fs.openSync(file, 'a');
    this.deps.log(`${this.key}: starting (restart ${this.restarts}): ${this.binary} ${cmd.args.join(' ')} > ${file}`);
    if (cmd.skippedEnv.length) this.deps.log(`${this.key}: env not resolved locally: ${cmd.skippedEnv.join(', ')}`);
    const startedAt = Date.now();
    const child = spawn(this.binary, cmd.args, {
      cwd: this.deps.podDir,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: this.deps.podDir, ...cmd.env },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    this.child = child;
    this.deps.log(`${this.key}: started pid ${child.pid} (${path.basename(this.binary)}, metrics port ${this.port})`);
    child.on('error', (e) => this.deps.log(`${this.key}: spawn failed: ${e.message}`));
    child.on('exit', (code, signal) => {
      this.child = undefined;
      if (this.stopped) return;
      const b = this.deps.backoff ?? DEFAULT_BACKOFF;
      if (Date.now() - startedAt > b.resetAfterMs) this.delayMs = b.initialMs;
      const delay = this.delayMs;
      this.delayMs = Math.min(this.delayMs * 2, b.maxMs);
      this.deps.log(`${this.key}: exited (${signal ?? code}); restarting in ${Math.round(delay / 1000)}s`);
      this.restartTimer = setTimeout(() => {
        this.restarts++;
        this.launch(kubeconfig);
      }, delay);
    });
  }

  /** Stops the process (SIGTERM, SIGKILL after the grace period) and removes the token. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.refreshTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.deps.podDir, { recursive: true, force: true });
    // The logs stay (a run's report may still want them); the record says the pod is gone.
    if (fs.existsSync(this.logFiles.folder)) this.writeRecord(new Date().toISOString());
    this.deps.log(`${this.key}: stopped`);
  }
}
