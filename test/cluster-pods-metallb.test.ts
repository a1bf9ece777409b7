/**
 * The MetalLB page on the pods provider, end to end: the runbook applies the page's commands to a
 * node with a real kubelet, containerd and runc (the controller and speaker run as containers),
 * then each stand-in Service gets a real backend and the four documented addresses are checked
 * from the client namespace: an HTTP answer from that stand-in, and a Chromium screenshot.
 * Skips (saying why) only when the machine cannot host the provider: not root, or no cgroup v1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { clusterMain } from '../scripts/cluster/main.ts';
import { dashboardTitle } from '../scripts/cluster/pods/backend.ts';
import { openAddress } from '../scripts/cluster/browser-step.ts';
import { podsClient } from '../scripts/cluster/pods/browser-step.ts';
import { liveClaim } from '../scripts/cluster/pods/host.ts';
import { httpFromClient } from '../scripts/cluster/pods/probe.ts';
import { readSandbox, type SandboxState } from '../scripts/cluster/state.ts';
import { memoryIo } from '../scripts/lib/io.ts';
import { readReport } from '../scripts/model/report.ts';
import { acquireLock } from '../scripts/cluster/lock.ts';
import { cli, testMirror } from './helpers/sandbox.ts';
import { MACHINE_LOCK, skipReason } from './helpers/machine.ts';

const NAME = 'pods-metallb';
const MINOR = process.env.VDOCS_PODS_KUBERNETES ?? '1.37';
const skip = skipReason('pods', 'cluster-pods-metallb');

/** The page's four browser steps: the address it documents and the Service behind it. */
const BROWSER_STEPS = [
  { step: 'istio/browser', url: 'http://192.168.35.100', namespace: 'istio-system', name: 'istio-ingressgateway' },
  { step: 'minio/browser', url: 'http://192.168.35.101:9000', namespace: 'kubeflow', name: 'minio-service' },
  {
    step: 'mlflow/browser',
    url: 'http://192.168.35.102:5000',
    namespace: 'mlflow-system',
    name: 'mlflow-server-service',
  },
  {
    step: 'grafana/browser',
    url: 'http://192.168.35.103:80',
    namespace: 'seldon-system',
    name: 'seldon-core-analytics-grafana',
  },
];

function io() {
  const m = memoryIo({ ...process.env, NO_COLOR: '1' });
  return { ...m, err: (t: string) => process.stderr.write(t) };
}

describe.skipIf(Boolean(skip))(`MetalLB page on the pods provider, Kubernetes ${MINOR}`, () => {
  let state: SandboxState;
  let kc: KubeConfig;
  let runbook: ReturnType<typeof cli>;
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-pods-shots-'));
  const reportFile = path.join(shots, 'report.json');

  let release: () => void;

  beforeAll(async () => {
    release = await acquireLock(MACHINE_LOCK, new AbortController().signal);
    expect(
      liveClaim(),
      '이 머신에 다른 pods 샌드박스가 떠 있습니다: 그 체크아웃에서 npm run cluster -- down',
    ).toBeUndefined();
    expect(await clusterMain(['up', '--provider', 'pods', '--kubernetes', MINOR, '--name', NAME], io())).toBe(0);
    state = readSandbox(NAME)!;
    kc = new KubeConfig();
    kc.loadFromFile(state.kubeconfig);
    const mirror = testMirror();
    runbook = cli(
      'runbook',
      ['metallb', '--sandbox', NAME, '--report', reportFile],
      mirror ? { RUNBOOK_MIRROR: mirror } : {},
    );
  }, 1_800_000);

  afterAll(async () => {
    await clusterMain(['down', '--name', NAME], io());
    release?.();
  }, 120_000);

  it('passes every step of the page, the four browser steps included (checked from the client host, marked as stand-ins)', () => {
    const steps = [...runbook.stderr.matchAll(/^\s*([✓✗☐]) \[\s*\d+\/(\d+)\] (\S+)/gm)].map((m) => ({
      mark: m[1],
      id: m[3],
    }));
    expect(
      steps.filter((s) => s.mark === '✗'),
      runbook.stderr.slice(-3000),
    ).toEqual([]);
    expect(steps.filter((s) => s.mark === '✓')).toHaveLength(22);
    expect(runbook.code, runbook.stderr.slice(-3000)).toBe(0);
    const report = readReport(reportFile);
    expect(report).toMatchObject({ provider: 'pods', status: 'passed' });
    for (const b of BROWSER_STEPS) {
      const step = report.steps.find((s) => s.id === b.step);
      expect(step).toMatchObject({ status: 'passed', browser: { url: b.url, status: 200 } });
      expect(step?.browser?.simulated).toContain('대역 웹 서버');
      expect(fs.statSync(path.resolve(path.dirname(reportFile), step!.browser!.screenshot)).size).toBeGreaterThan(5000);
    }
  });

  it('runs the MetalLB controller and speaker as real containers on the node', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const pods = (await core.listNamespacedPod({ namespace: 'metallb-system' })).items;
    const running = pods.filter(
      (p) =>
        p.status?.phase === 'Running' &&
        p.status.containerStatuses?.every((c) => c.ready && c.containerID?.startsWith('containerd://')),
    );
    expect(running.map((p) => p.metadata?.labels?.component).sort()).toEqual(['controller', 'speaker']);
  });

  it.each(BROWSER_STEPS)(
    '$step: $url answers from the client namespace with its stand-in, and Chromium shows it',
    async (step) => {
      const kube = { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api) };
      const png = path.join(shots, `${step.name}.png`);
      const result = await openAddress(kube, step, png, podsClient);
      const title = dashboardTitle(
        await kube.core.readNamespacedService({ name: step.name, namespace: step.namespace }),
      );
      expect(result).toMatchObject({ url: step.url, status: 200, title: `${title} 대역 (stand-in)`, screenshot: png });
      expect(result.proven).toContain(`${step.namespace}/${step.name}`);
      expect(fs.statSync(png).size).toBeGreaterThan(5000);
      // The request really came from the client namespace: the address is nowhere on the host.
      await expect(httpFromClient('http://127.0.0.1:1')).rejects.toMatchObject({ code: 'PODS_PROBE_BAD_URL' });
    },
    180_000,
  );
});
