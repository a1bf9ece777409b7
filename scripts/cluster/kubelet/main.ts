/**
 * The small kubelet (kwok provider, detached): runs a bound pod whose image a runbook registered
 * (images.ts) as the local binary, with a token of its ServiceAccount, restarting it until the pod goes.
 * Output goes to `--pod-logs` in /var/log/pods layout: a kwok node's kubelet API is kwok's own and has no logs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeAtomic } from '../../lib/fs.ts';
import type { V1Pod } from '@kubernetes/client-node';
import { loadClient } from '../../lib/client.ts';
import { runnableContainer, wantsRunning } from './adapt.ts';
import { readRegisteredImages, registeredImagesFile } from './images.ts';
import { PodRunner } from './runner.ts';

const option = { type: 'string' } as const;
const { values } = parseArgs({ options: { kubeconfig: option, dir: option, 'pod-logs': option } });
if (!values.kubeconfig || !values.dir) {
  process.stderr.write('usage: kubelet/main.ts --kubeconfig FILE --dir SANDBOX --pod-logs DIR\n');
  process.exit(2);
}
const sandbox = values.dir;
const imagesFile = registeredImagesFile(sandbox);
/** The registered images (image → binary), read again whenever the file changes. */
let images: Record<string, string> = {};
let imagesStamp = '';
function readImages(): boolean {
  const st = fs.statSync(imagesFile, { throwIfNoEntry: false });
  const stamp = st ? `${st.mtimeMs}:${st.size}` : 'absent';
  if (stamp === imagesStamp) return false;
  imagesStamp = stamp;
  images = readRegisteredImages(sandbox);
  log(`images: ${Object.keys(images).join(', ') || '(none registered)'}`);
  return true;
}
const podLogs = values['pod-logs'] ?? path.join(sandbox, 'logs', 'pods');
const statusFile = path.join(sandbox, 'kubelet', 'status.json');

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

// The same one-file client as the runner's (a third of the package's start-up): `up` waits for this process.
const { CoreV1Api, KubeConfig, makeInformer } = await loadClient();
const kc = new KubeConfig();
kc.loadFromFile(values.kubeconfig);
const cluster = kc.getCurrentCluster();
if (!cluster) throw new Error(`no current cluster in ${values.kubeconfig}`);
const core = kc.makeApiClient(CoreV1Api);

async function requestToken(pod: V1Pod) {
  const res = await core.createNamespacedServiceAccountToken({
    name: pod.spec?.serviceAccountName ?? 'default',
    namespace: pod.metadata!.namespace!,
    body: {
      spec: {
        audiences: [],
        expirationSeconds: 3607, // what the kubelet asks for projected tokens
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name!, uid: pod.metadata!.uid! },
      },
    },
  });
  if (!res.status?.token) throw new Error('TokenRequest returned no token');
  return { token: res.status.token, expiresAt: new Date(res.status.expirationTimestamp ?? Date.now() + 3_600_000) };
}

const runners = new Map<string, PodRunner>();
let stopping = false;

function writeStatus(): void {
  const containers = [...runners.values()].map((r) => ({
    pod: r.key,
    pid: r.child?.pid ?? null,
    restarts: r.restarts,
    port: r.port,
  }));
  writeAtomic(statusFile, JSON.stringify({ supervisor: process.pid, containers }, null, 2) + '\n');
}

async function reconcile(pod: V1Pod): Promise<void> {
  const uid = pod.metadata?.uid;
  if (!uid) return;
  const runnable = runnableContainer(pod, images);
  if (!runnable || !wantsRunning(pod)) return forget(pod);
  if (runners.has(uid)) return;
  const runner = new PodRunner(pod, runnable.container, runnable.binary, {
    requestToken,
    log,
    podLogs,
    server: cluster!.server,
    ca: { data: cluster!.caData, file: cluster!.caFile },
    podDir: path.join(sandbox, 'kubelet', 'pods', uid),
  });
  runners.set(uid, runner);
  try {
    await runner.start();
  } catch (e) {
    log(`${runner.key}: start failed: ${(e as Error).message}; retrying on the next pod event`);
    runners.delete(uid);
    await runner.stop(0);
  }
  writeStatus();
}

/** Stops the pod's container, if it runs one, within the pod's grace period. */
async function forget(pod: V1Pod): Promise<void> {
  const uid = pod.metadata?.uid ?? '';
  const runner = runners.get(uid);
  if (!runner) return;
  runners.delete(uid);
  await runner.stop((pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000 || 1000);
  writeStatus();
}

// Serialise events so a pod is never started twice by overlapping add/update handlers.
let queue: Promise<unknown> = Promise.resolve();
const enqueue = (work: () => Promise<void>) => {
  queue = queue.then(work).catch((e) => log(`error: ${(e as Error).message}`));
};

const informer = makeInformer<V1Pod>(kc, '/api/v1/pods', () => core.listPodForAllNamespaces());
// Registrations first (cheap when unchanged: one stat), so the pod is looked at with the current images.
const onPod = (pod: V1Pod) => {
  refreshImages();
  enqueue(() => reconcile(pod));
};
informer.on('add', onPod);
informer.on('update', onPod);
informer.on('delete', (pod) => enqueue(() => forget(pod)));
/** (Re)starts the watch; list/watch failures arrive as 'error' events, a rejected start retries too. */
function startWatch(): void {
  if (stopping) return;
  informer.start().catch((e) => {
    log(`watch start failed: ${(e as Error).message}; retrying in 5s`);
    setTimeout(startWatch, 5_000);
  });
}
informer.on('error', (err) => {
  // e.g. the API server restarting: keep the controllers running, re-list when it answers again.
  log(`watch error: ${(err as Error)?.message ?? err}; restarting the watch in 5s`);
  setTimeout(startWatch, 5_000);
});

async function shutdown(sig: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${sig}: stopping ${runners.size} container(s)`);
  await informer.stop().catch(() => {});
  await Promise.all([...runners.values()].map((r) => r.stop(5_000)));
  runners.clear();
  writeStatus();
  process.exit(0);
}
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => void shutdown(sig));

/** Registrations changed: every pod already known is looked at again (one created before its image was registered). */
function refreshImages(): void {
  if (readImages()) for (const pod of informer.list()) enqueue(() => reconcile(pod));
}

writeStatus();
log(`small kubelet started (pid ${process.pid})`);
readImages();
// A runbook registers its images just before its steps (written whole, renamed into place): woken by
// the rename, and checked again on every pod event.
fs.watch(path.dirname(imagesFile), (_event, name) => {
  if (name === path.basename(imagesFile)) refreshImages();
}).unref();
startWatch();
