import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { adaptContainer, runnableContainer, wantsRunning } from '../scripts/cluster/kubelet/adapt.ts';
import { podKubeconfig, PodRunner } from '../scripts/cluster/kubelet/runner.ts';
import { containerLogFiles, LoggedPod } from '../scripts/cluster/state.ts';

// The controller pod as MetalLB v0.11.0's metallb.yaml makes it (Deployment metallb-system/controller).
const pod: V1Pod = {
  metadata: { name: 'controller-7dcc8764f4-abcde', namespace: 'metallb-system', uid: 'u-1' },
  spec: {
    nodeName: 'kwok-node-0',
    serviceAccountName: 'controller',
    containers: [
      {
        name: 'controller',
        image: 'quay.io/metallb/controller:v0.11.0',
        args: ['--port=7472', '--config=config', '--log-level=info'],
        env: [
          { name: 'METALLB_ML_SECRET_NAME', value: 'memberlist' },
          { name: 'METALLB_DEPLOYMENT', value: 'controller' },
          { name: 'MY_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
        ],
      },
    ],
  },
  status: { phase: 'Running' },
};

describe('adaptContainer', () => {
  const cmd = adaptContainer(pod, pod.spec!.containers[0]!, {
    kubeconfig: '/s/kubelet/pods/u-1/kubeconfig',
    port: 40123,
  });
  it('keeps the pod args, swaps the metrics port for a free one, adds kubeconfig and namespace', () => {
    expect(cmd.args).toEqual([
      '--port=40123',
      '--config=config',
      '--log-level=info',
      '--kubeconfig=/s/kubelet/pods/u-1/kubeconfig',
      '--namespace=metallb-system',
    ]);
  });
  it('passes literal env and downward-API fields; reports what it cannot resolve', () => {
    expect(cmd.env).toEqual({
      METALLB_ML_SECRET_NAME: 'memberlist',
      METALLB_DEPLOYMENT: 'controller',
      MY_NS: 'metallb-system',
    });
    expect(cmd.skippedEnv).toEqual(['FROM_SECRET']);
  });
  it('replaces a `--port N` pair and keeps an explicit --namespace', () => {
    const c = adaptContainer(
      pod,
      { name: 'c', args: ['--port', '7472', '--namespace=other'] },
      { kubeconfig: '/k', port: 1 },
    );
    expect(c.args).toEqual(['--port=1', '--namespace=other', '--kubeconfig=/k']);
  });
});

describe('which pods the small kubelet runs', () => {
  const images = { 'quay.io/metallb/controller:v0.11.0': '/bin/controller' };
  it.each([
    ['bound controller pod', pod, true],
    ['not yet scheduled', { ...pod, spec: { ...pod.spec!, nodeName: undefined } }, false],
    ['being deleted', { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date() } }, false],
    ['failed', { ...pod, status: { phase: 'Failed' } }, false],
  ])('%s → %s', (_, p, expected) => {
    expect(wantsRunning(p as V1Pod) && runnableContainer(p as V1Pod, images) !== undefined).toBe(expected);
  });
  it('ignores images it cannot build (the speaker stays simulated)', () => {
    const speaker = {
      ...pod,
      spec: { ...pod.spec!, containers: [{ name: 'speaker', image: 'quay.io/metallb/speaker:v0.11.0' }] },
    };
    expect(runnableContainer(speaker, images)).toBeUndefined();
  });
});

it('the pod kubeconfig reads the token from a file (rotated by the small kubelet), never inline', () => {
  const text = podKubeconfig({
    server: 'https://127.0.0.1:1',
    ca: { data: 'Q0E=' },
    tokenFile: '/s/token',
    namespace: 'metallb-system',
    user: 'system:serviceaccount:metallb-system:controller',
  });
  expect(text).toContain('    tokenFile: /s/token');
  expect(text).toContain('    certificate-authority-data: Q0E=');
  expect(text).not.toMatch(/^\s+token:/m);
});

it("each instance of a container logs to its own file in the kubelet layout, beside the pod's labels; the logs outlive the pod", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelet-logs-'));
  try {
    // A "controller" that prints a line and exits: the runner restarts it after the back-off.
    const binary = path.join(tmp, 'controller');
    fs.writeFileSync(binary, '#!/bin/sh\necho "instance started: $*"\nexit 3\n', { mode: 0o755 });
    const token = 'tok-'.padEnd(60, 'x');
    const lines: string[] = [];
    const podLogs = path.join(tmp, 'logs', 'pods');
    const labelled = { ...pod, metadata: { ...pod.metadata, labels: { app: 'metallb', component: 'controller' } } };
    const runner = new PodRunner(labelled, labelled.spec!.containers[0]!, binary, {
      requestToken: async () => ({ token, expiresAt: new Date(Date.now() + 3_600_000) }),
      log: (l) => lines.push(l),
      podLogs,
      server: 'https://127.0.0.1:1',
      ca: {},
      podDir: path.join(tmp, 'kubelet', 'pods', 'u-1'),
      backoff: { initialMs: 20, maxMs: 20, resetAfterMs: 60_000 },
    });
    const files = containerLogFiles(podLogs, {
      namespace: 'metallb-system',
      name: 'controller-7dcc8764f4-abcde',
      uid: 'u-1',
    });
    await runner.start();
    const deadline = Date.now() + 10_000;
    while (!fs.existsSync(files.log('controller', 1)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await runner.stop(1000);
    expect(fs.readFileSync(files.log('controller', 0), 'utf8')).toMatch(
      /^instance started: --port=\d+ --config=config --log-level=info --kubeconfig=\S+ --namespace=metallb-system\n$/,
    );
    expect(fs.existsSync(files.log('controller', 1))).toBe(true);
    const record = LoggedPod.parse(JSON.parse(fs.readFileSync(files.record, 'utf8')));
    expect(record).toMatchObject({
      namespace: 'metallb-system',
      name: 'controller-7dcc8764f4-abcde',
      uid: 'u-1',
      labels: { app: 'metallb', component: 'controller' },
    });
    expect(record.stoppedAt).toBeDefined();
    expect(lines.join('\n')).toContain('controller-7dcc8764f4-abcde: starting (restart 1)');
    for (const f of fs.readdirSync(path.join(tmp, 'logs'), { recursive: true }).map(String)) {
      const file = path.join(tmp, 'logs', f);
      if (fs.statSync(file).isFile()) expect(fs.readFileSync(file, 'utf8')).not.toContain(token);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
