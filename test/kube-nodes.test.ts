import type * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { nodesForDaemonSet, perNodeCounts, schedulableNodes, tolerates, type Kube } from '../scripts/runbook/kube.ts';
import metallb from '../runbooks/metallb.ts';

/** A node with the given taints (`key[=value]:Effect`) and, optionally, cordoned. */
function node(taints: string[] = [], unschedulable = false): k8s.V1Node {
  return {
    spec: {
      unschedulable,
      taints: taints.map((t) => {
        const [kv = '', effect = ''] = t.split(':');
        const [key = '', value] = kv.split('=');
        return { key, effect, ...(value !== undefined ? { value } : {}) };
      }),
    },
  };
}

const CONTROL_PLANE = 'node-role.kubernetes.io/control-plane:NoSchedule';
const MASTER = 'node-role.kubernetes.io/master:NoSchedule';
/** MetalLB v0.11.0 speaker's tolerations (manifests/metallb.yaml): only the old master taint. */
const SPEAKER_V011: k8s.V1Toleration[] = [
  { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule', operator: 'Exists' },
];

/** A fake client: the node list, and the speaker DaemonSet or a 404. */
function fakeKube(nodes: k8s.V1Node[], daemonSet?: k8s.V1DaemonSet): Kube {
  return {
    core: { listNode: async () => ({ items: nodes }) },
    apps: {
      readNamespacedDaemonSet: async () => {
        if (!daemonSet) throw Object.assign(new Error('not found'), { code: 404 });
        return daemonSet;
      },
    },
  } as unknown as Kube;
}

const speakerDs = (tolerations: k8s.V1Toleration[]): k8s.V1DaemonSet => ({
  spec: { selector: {}, template: { spec: { hostNetwork: true, containers: [], tolerations } } },
});

describe('tolerates (the scheduler rule)', () => {
  it.each([
    [
      'same key, Exists, same effect',
      { key: 'a', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'a', effect: 'NoSchedule' },
      true,
    ],
    [
      'same key, other effect',
      { key: 'a', operator: 'Exists', effect: 'NoExecute' },
      { key: 'a', effect: 'NoSchedule' },
      false,
    ],
    ['same key, no effect (all effects)', { key: 'a', operator: 'Exists' }, { key: 'a', effect: 'NoExecute' }, true],
    ['other key', { key: 'b', operator: 'Exists' }, { key: 'a', effect: 'NoSchedule' }, false],
    ['empty key with Exists (everything)', { operator: 'Exists' }, { key: 'a', effect: 'NoSchedule' }, true],
    [
      'Equal with the same value',
      { key: 'a', operator: 'Equal', value: 'x' },
      { key: 'a', value: 'x', effect: 'NoSchedule' },
      true,
    ],
    [
      'Equal with another value',
      { key: 'a', operator: 'Equal', value: 'y' },
      { key: 'a', value: 'x', effect: 'NoSchedule' },
      false,
    ],
    ['default operator is Equal', { key: 'a', value: 'x' }, { key: 'a', value: 'x', effect: 'NoSchedule' }, true],
  ])('%s', (_name, toleration, taint, expected) => {
    expect(tolerates(toleration, taint)).toBe(expected);
  });
});

describe('nodes the speaker DaemonSet runs on', () => {
  it('a multi-node kind cluster: v0.11 speaker skips the control-plane node (it tolerates only the master taint)', () => {
    const kind = [node([CONTROL_PLANE]), node(), node()];
    expect(nodesForDaemonSet(kind, SPEAKER_V011, true)).toBe(2);
  });

  it('an old cluster whose control plane carries the master taint: v0.11 speaker runs there too', () => {
    expect(nodesForDaemonSet([node([MASTER]), node()], SPEAKER_V011, true)).toBe(2);
  });

  it('a single-node kind cluster (no taint left on the control plane) counts one node', () => {
    expect(nodesForDaemonSet([node()], SPEAKER_V011, true)).toBe(1);
  });

  it('PreferNoSchedule never keeps the speaker off a node; NoExecute does', () => {
    expect(nodesForDaemonSet([node(['a:PreferNoSchedule']), node(['b:NoExecute'])], SPEAKER_V011, true)).toBe(1);
  });

  it('a cordoned node still runs DaemonSet pods (the controller adds that toleration)', () => {
    expect(
      nodesForDaemonSet([node(['node.kubernetes.io/unschedulable:NoSchedule'], true), node()], SPEAKER_V011, true),
    ).toBe(2);
  });

  it('without the DaemonSet (MetalLB not installed yet): nodes with no NoSchedule/NoExecute taint and not cordoned', () => {
    expect(
      nodesForDaemonSet(
        [node([CONTROL_PLANE]), node([MASTER]), node([], true), node(['x:PreferNoSchedule']), node()],
        undefined,
      ),
    ).toBe(2);
  });
});

const SPEAKER = { namespace: 'metallb-system', name: 'speaker' };

describe('schedulableNodes (through the API)', () => {
  it('reads the DaemonSet tolerations when it exists', async () => {
    const nodes = [node([CONTROL_PLANE]), node(), node()];
    expect(await schedulableNodes(fakeKube(nodes, speakerDs(SPEAKER_V011)), SPEAKER)).toBe(2);
    expect(
      await schedulableNodes(
        fakeKube(
          nodes,
          speakerDs([{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }]),
        ),
        SPEAKER,
      ),
    ).toBe(3);
  });

  it('counts untainted nodes when the DaemonSet is absent (404), or none is named', async () => {
    expect(await schedulableNodes(fakeKube([node([CONTROL_PLANE]), node()]), SPEAKER)).toBe(1);
    expect(
      await schedulableNodes(fakeKube([node([CONTROL_PLANE]), node(), node()], speakerDs([{ operator: 'Exists' }]))),
    ).toBe(2);
  });

  it('does not hide an API error other than 404', async () => {
    const kube = {
      core: { listNode: async () => ({ items: [] }) },
      apps: {
        readNamespacedDaemonSet: async () => {
          throw Object.assign(new Error('forbidden'), { code: 403 });
        },
      },
    } as unknown as Kube;
    await expect(schedulableNodes(kube, SPEAKER)).rejects.toThrow('forbidden');
  });

  it("the page's pods table counts speaker rows by the DaemonSet the runbook names, read when compared", async () => {
    const step = metallb.steps.find((s) => s.id === 'install/get-pods');
    const rule = step?.kind === 'run' ? step.output : undefined;
    expect(rule?.kind).toBe('table');
    const read: string[] = [];
    const kube = fakeKube([node([CONTROL_PLANE]), node(), node()], speakerDs(SPEAKER_V011));
    const apps = kube.apps as unknown as {
      readNamespacedDaemonSet: (r: { namespace: string; name: string }) => Promise<unknown>;
    };
    const real = apps.readNamespacedDaemonSet.bind(apps);
    apps.readNamespacedDaemonSet = (r) => (read.push(`${r.namespace}/${r.name}`), real(r));
    expect(await perNodeCounts(kube, rule!)).toEqual({ speaker: 2 });
    expect(read).toEqual(['metallb-system/speaker']);
  });
});
