import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { adaptContainer, runnableContainer, wantsRunning } from '../scripts/cluster/kubelet/adapt.ts';
import { podKubeconfig } from '../scripts/cluster/kubelet/runner.ts';

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
  const cmd = adaptContainer(pod, pod.spec!.containers[0]!, { kubeconfig: '/s/kubelet/pods/u-1/kubeconfig', port: 40123 });
  it('keeps the pod args, swaps the metrics port for a free one, adds kubeconfig and namespace', () => {
    expect(cmd.args).toEqual(['--port=40123', '--config=config', '--log-level=info', '--kubeconfig=/s/kubelet/pods/u-1/kubeconfig', '--namespace=metallb-system']);
  });
  it('passes literal env and downward-API fields; reports what it cannot resolve', () => {
    expect(cmd.env).toEqual({ METALLB_ML_SECRET_NAME: 'memberlist', METALLB_DEPLOYMENT: 'controller', MY_NS: 'metallb-system' });
    expect(cmd.skippedEnv).toEqual(['FROM_SECRET']);
  });
  it('replaces a `--port N` pair and keeps an explicit --namespace', () => {
    const c = adaptContainer(pod, { name: 'c', args: ['--port', '7472', '--namespace=other'] }, { kubeconfig: '/k', port: 1 });
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
    const speaker = { ...pod, spec: { ...pod.spec!, containers: [{ name: 'speaker', image: 'quay.io/metallb/speaker:v0.11.0' }] } };
    expect(runnableContainer(speaker, images)).toBeUndefined();
  });
});

it('the pod kubeconfig reads the token from a file (rotated by the small kubelet), never inline', () => {
  const text = podKubeconfig({ server: 'https://127.0.0.1:1', ca: { data: 'Q0E=' }, tokenFile: '/s/token', namespace: 'metallb-system', user: 'system:serviceaccount:metallb-system:controller' });
  expect(text).toContain('    tokenFile: /s/token');
  expect(text).toContain('    certificate-authority-data: Q0E=');
  expect(text).not.toMatch(/^\s+token:/m);
});
