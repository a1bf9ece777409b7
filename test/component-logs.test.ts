import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { containerLogFiles, type LoggedPod } from '../scripts/cluster/state.ts';
import { componentLogs } from '../scripts/model/define.ts';
import type { RunContext } from '../scripts/runbook/context.ts';
import {
  componentLogProblems,
  diagnosticLogs,
  keepLogs,
  readComponentLogs,
  type PodLogApi,
} from '../scripts/runbook/logs.ts';
import { keptLogs, type KeptLogs } from '../scripts/cluster/kept-logs.ts';
import { Redactor } from '../scripts/runbook/redact.ts';
import { matchesSelector, parseSelector } from '../scripts/lib/selector.ts';

/**
 * Component logs (runbook `logs`: namespace + label selector) read through a fake API: what the API
 * serves, the provider's files where it cannot, one honest line where there is nothing, and the
 * file kept with the report. The real API and the small kubelet's files: e2e-runbook on kwok.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'component-logs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const controller = componentLogs('metallb-controller', 'metallb-system', 'app=metallb,component=controller');
const speaker = componentLogs('metallb-speaker', 'metallb-system', 'app=metallb,component=speaker');

function pod(
  name: string,
  uid: string,
  containers: Array<[string, number]>,
  init: Array<[string, number]> = [],
): V1Pod {
  const statuses = (list: Array<[string, number]>) =>
    list.map(([n, restartCount]) => ({ name: n, restartCount, image: '', imageID: '', ready: true }));
  return {
    metadata: {
      name,
      namespace: 'metallb-system',
      uid,
      labels: { app: 'metallb', component: name.split('-')[0] ?? '' },
    },
    spec: {
      containers: containers.map(([n]) => ({ name: n })),
      ...(init.length ? { initContainers: init.map(([n]) => ({ name: n })) } : {}),
    },
    status: {
      containerStatuses: statuses(containers),
      ...(init.length ? { initContainerStatuses: statuses(init) } : {}),
    },
  };
}

/** An API with these pods and these logs (`pod/container` or `pod/container/previous` → text); anything else is kwok's 400. */
function fakeApi(pods: V1Pod[], logs: Record<string, string>, calls: string[] = []): PodLogApi {
  return {
    listPods: async (namespace, selector) => {
      calls.push(`list ${namespace} ${selector}`);
      const req = parseSelector(selector);
      if (typeof req === 'string') throw new Error(req);
      return pods.filter((p) => p.metadata?.namespace === namespace && matchesSelector(p.metadata?.labels ?? {}, req));
    },
    readLog: async (namespace, name, container, { tailLines, previous }) => {
      calls.push(`log ${name} ${container} ${tailLines}${previous ? ' previous' : ''}`);
      const text = logs[`${name}/${container}${previous ? '/previous' : ''}`];
      if (text === undefined)
        throw Object.assign(new Error('HTTP-Code: 400'), {
          code: 400,
          body: JSON.stringify({
            kind: 'Status',
            message: `no logs found for container "${container}" in pod "${namespace}/${name}"`,
            code: 400,
          }),
        });
      return text.split('\n').slice(-tailLines).join('\n');
    },
  };
}

/** A provider folder as the small kubelet writes it: pod.json and `<container>/<restart>.log`. */
function providerWith(
  name: string,
  pods: Array<{ record: LoggedPod; logs: Record<string, string[]> }>,
): KeptLogs & { dir: string } {
  const dir = path.join(tmp, name);
  for (const { record, logs } of pods) {
    const files = containerLogFiles(dir, record);
    fs.mkdirSync(files.folder, { recursive: true });
    fs.writeFileSync(files.record, JSON.stringify(record));
    for (const [container, instances] of Object.entries(logs)) {
      instances.forEach((text, i) => {
        fs.mkdirSync(path.dirname(files.log(container, i)), { recursive: true });
        fs.writeFileSync(files.log(container, i), text);
      });
    }
  }
  return {
    dir,
    ...keptLogs({
      dir,
      writer: 'kwok 샌드박스의 작은 kubelet',
      absent: 'kwok 이 흉내 낸 파드라 컨테이너가 실행되지 않았습니다',
    })!,
  };
}

const limits = { tailLines: 30, pods: 3 };

describe('label selectors', () => {
  it.each([
    ['app=metallb,component=controller', { app: 'metallb', component: 'controller' }, true],
    ['app=metallb,component=controller', { app: 'metallb', component: 'speaker' }, false],
    ['app==metallb', { app: 'metallb' }, true],
    ['component!=speaker', { component: 'controller' }, true],
    ['component!=speaker', {}, true],
    ['component!=speaker', { component: 'speaker' }, false],
    ['app', { app: '' }, true],
    ['!app', { app: 'x' }, false],
    [' app = metallb , !debug ', { app: 'metallb' }, true],
  ])('%s on %j → %s', (selector, labels, expected) => {
    const req = parseSelector(selector);
    if (typeof req === 'string') throw new Error(req);
    expect(matchesSelector(labels, req)).toBe(expected);
  });

  it.each(['', 'app=metallb,', 'component in (controller)', 'app=metal lb', 'app=-x'])('refuses %j', (selector) => {
    expect(typeof parseSelector(selector)).toBe('string');
  });

  it('a runbook with a bad name, a duplicate or a set-based selector does not bind', () => {
    expect(componentLogProblems([controller, speaker])).toEqual([]);
    const problems = componentLogProblems([
      controller,
      { ...speaker, name: 'metallb-controller' },
      componentLogs('Speaker/log', 'metallb-system', 'component in (speaker)'),
    ]);
    expect(problems).toEqual([
      'logs 에 이름 "metallb-controller" 이 두 번 있습니다.',
      'logs 의 이름 "Speaker/log" 은 파일 이름(<이름>.log)이 됩니다: 소문자, 숫자, . _ - 만 쓰세요.',
      expect.stringContaining(
        'logs "Speaker/log" 의 selector: 선택자 "component in (speaker)" 의 "component in (speaker)" 를 읽을 수 없습니다',
      ),
    ]);
  });
});

describe('reading a component through the API', () => {
  it('every container of every matching pod, init containers first, the previous instance after a restart', async () => {
    const calls: string[] = [];
    const api = fakeApi(
      [
        pod('controller-7dcc8764f4-abcde', 'u1', [['controller', 2]], [['wait', 0]]),
        pod('speaker-x1', 'u2', [['speaker', 0]]),
      ],
      {
        'controller-7dcc8764f4-abcde/controller': 'line 1\nline 2',
        'controller-7dcc8764f4-abcde/controller/previous': 'panic: lost the lease',
        'controller-7dcc8764f4-abcde/wait': '',
      },
      calls,
    );
    const r = await readComponentLogs(controller, { api, provider: undefined }, limits);
    expect(calls).toEqual([
      'list metallb-system app=metallb,component=controller',
      'log controller-7dcc8764f4-abcde wait 30',
      'log controller-7dcc8764f4-abcde controller 30',
      'log controller-7dcc8764f4-abcde controller 30 previous',
    ]);
    expect(r.notes).toEqual([]);
    expect(r.containers.map((c) => [c.container, c.instances.map((i) => [i.origin, i.previous, i.text])])).toEqual([
      ['wait', [['api', false, '']]],
      [
        'controller',
        [
          ['api', true, 'panic: lost the lease'],
          ['api', false, 'line 1\nline 2'],
        ],
      ],
    ]);
    expect(r.containers[1]?.instances[1]?.source).toBe(
      'API 서버를 거쳐 kubelet 에서 (GET /api/v1/namespaces/metallb-system/pods/controller-7dcc8764f4-abcde/log?container=controller&tailLines=30)',
    );
  });

  it("where the API has no log, the provider's file says where it came from and why", async () => {
    const api = fakeApi([pod('controller-7dcc8764f4-abcde', 'u1', [['controller', 0]])], {});
    const provider = providerWith('fallback', [
      {
        record: {
          namespace: 'metallb-system',
          name: 'controller-7dcc8764f4-abcde',
          uid: 'u1',
          labels: { app: 'metallb', component: 'controller' },
        },
        logs: { controller: ['first instance\n', 'MetalLB controller starting\nIP address assigned\n'] },
      },
    ]);
    const r = await readComponentLogs(controller, { api, provider }, limits);
    const [c] = r.containers;
    expect(c?.apiError).toBe(
      'no logs found for container "controller" in pod "metallb-system/controller-7dcc8764f4-abcde" (HTTP 400)',
    );
    expect(c?.instances.map((i) => [i.origin, i.previous, i.text])).toEqual([
      ['provider', true, 'first instance'],
      ['provider', false, 'MetalLB controller starting\nIP address assigned'],
    ]);
    expect(c?.instances[1]?.source).toBe(
      `kwok 샌드박스의 작은 kubelet 파일 ${path.join(provider.dir, 'metallb-system_controller-7dcc8764f4-abcde_u1', 'controller', '1.log')}`,
    );
  });

  it('a container with no log anywhere gets one line saying so', async () => {
    const api = fakeApi([pod('speaker-x1', 'u2', [['speaker', 0]])], {});
    const withProvider = await readComponentLogs(speaker, { api, provider: providerWith('empty', []) }, limits);
    expect(withProvider.containers[0]?.missing).toBe(
      '로그 없음 — API 서버가 주지 못했습니다: no logs found for container "speaker" in pod "metallb-system/speaker-x1" (HTTP 400). kwok 샌드박스의 작은 kubelet 파일에도 없습니다: kwok 이 흉내 낸 파드라 컨테이너가 실행되지 않았습니다.',
    );
    const without = await readComponentLogs(speaker, { api, provider: undefined }, limits);
    expect(without.containers[0]?.missing).toContain('이 클러스터에는 API 말고 로그를 읽을 곳이 없습니다.');
  });

  it('no matching pod is said, not left out', async () => {
    const r = await readComponentLogs(controller, { api: fakeApi([], {}), provider: undefined }, limits);
    expect(r).toMatchObject({
      containers: [],
      notes: ['metallb-system 에 app=metallb,component=controller 인 파드가 없습니다.'],
    });
  });

  it('a pod list the API refuses is said, and not taken for "no pods"', async () => {
    const api = {
      ...fakeApi([], {}),
      listPods: async () =>
        Promise.reject(
          Object.assign(new Error('403'), {
            code: 403,
            body: '{"kind":"Status","message":"pods is forbidden: User \\"x\\" cannot list resource \\"pods\\"","code":403}',
          }),
        ),
    };
    const r = await readComponentLogs(controller, { api, provider: undefined }, limits);
    expect(r).toEqual({
      component: controller,
      containers: [],
      notes: [
        'API 에서 파드 목록을 읽지 못했습니다: pods is forbidden: User "x" cannot list resource "pods" (HTTP 403)',
        '이 클러스터에는 API 말고 로그를 읽을 곳이 없어 로그를 읽지 못했습니다.',
      ],
    });
  });

  it("without the API, pods are chosen from the provider's records by label, running before stopped", async () => {
    const labels = { app: 'metallb', component: 'controller' };
    const provider = providerWith('silent', [
      {
        record: {
          namespace: 'metallb-system',
          name: 'controller-old',
          uid: 'u0',
          labels,
          stoppedAt: '2026-01-01T00:00:00Z',
        },
        logs: { controller: ['old'] },
      },
      {
        record: { namespace: 'metallb-system', name: 'controller-new', uid: 'u1', labels },
        logs: { controller: ['new'] },
      },
      {
        record: {
          namespace: 'metallb-system',
          name: 'speaker-x',
          uid: 'u2',
          labels: { app: 'metallb', component: 'speaker' },
        },
        logs: { speaker: ['no'] },
      },
      { record: { namespace: 'other', name: 'controller-elsewhere', uid: 'u3', labels }, logs: { controller: ['no'] } },
    ]);
    const r = await readComponentLogs(controller, { api: undefined, provider }, limits);
    expect(r.notes).toEqual([
      'API 없이 kwok 샌드박스의 작은 kubelet 파일에서, 그 파일에 적힌 라벨로 파드를 골랐습니다.',
    ]);
    expect(r.containers.map((c) => [c.pod, c.instances.map((i) => i.text)])).toEqual([
      ['metallb-system/controller-new', ['new']],
      ['metallb-system/controller-old', ['old']],
    ]);
    // A simulated speaker has no files: that is not "no pods".
    const none = await readComponentLogs(
      componentLogs('metallb-speaker', 'metallb-system', 'component=speaker,app=other'),
      { api: undefined, provider },
      limits,
    );
    expect(none.notes[1]).toBe(
      'kwok 샌드박스의 작은 kubelet 파일에는 metallb-system 의 component=speaker,app=other 파드가 없습니다. 클러스터의 파드 목록은 API 로 읽지 못했습니다.',
    );
  });
});

function context(provider: KeptLogs | undefined, api: PodLogApi): RunContext {
  const redactor = new Redactor();
  redactor.add('s3cr3t-token');
  // podLogApi(kube) reads kube.core: the fake answers in its place.
  const core = {
    listNamespacedPod: async ({ namespace, labelSelector }: { namespace: string; labelSelector: string }) => ({
      items: await api.listPods(namespace, labelSelector),
    }),
    readNamespacedPodLog: ({
      name,
      namespace,
      container,
      tailLines,
      previous,
    }: {
      name: string;
      namespace: string;
      container: string;
      tailLines: number;
      previous: boolean;
    }) => api.readLog(namespace, name, container, { tailLines, previous }),
  };
  return {
    binding: { runbook: { logs: [controller, speaker] } },
    target: { context: 'kwok-vdocs', provider: 'kwok', sandbox: provider ? { containerLogs: provider } : undefined },
    kube: { core },
    redactor,
  } as unknown as RunContext;
}

describe('logs under a failure and beside the report', () => {
  const api = fakeApi([pod('controller-a', 'u1', [['controller', 0]]), pod('speaker-b', 'u2', [['speaker', 0]])], {
    'controller-a/controller': Array.from(
      { length: 3000 },
      (_, i) => `line ${i + 1}${i === 2999 ? ' token=s3cr3t-token' : ''}`,
    ).join('\n'),
  });

  it('a failed step shows the last 30 lines of each component, redacted', async () => {
    const [c, s] = await diagnosticLogs(context(undefined, api), true);
    expect(c?.split('\n')[0]).toBe(
      '--- metallb-controller 로그 (metallb-system 의 app=metallb,component=controller 파드, 컨테이너마다 마지막 30줄)',
    );
    expect(c).toContain('line 2971\n');
    expect(c).not.toContain('line 2970\n');
    expect(c).toContain('line 3000 token=[비밀 값 가림]');
    expect(s).toContain('[metallb-system/speaker-b speaker] 로그 없음 — ');
  });

  it('with the API silent, no API call is made', async () => {
    const calls: string[] = [];
    const sections = await diagnosticLogs(context(undefined, fakeApi([], {}, calls)), false);
    expect(calls).toEqual([]);
    expect(sections[0]).toContain(
      'API 서버가 답하지 않고, 이 클러스터에는 API 말고 로그를 읽을 곳이 없어 로그를 읽지 못했습니다.',
    );
  });

  it('the report keeps one file per component: header with its source, 2000 lines, redacted; nothing found is a line, not a missing file', async () => {
    const dir = path.join(tmp, 'kept');
    const kept = await keepLogs(context(undefined, api), true, dir);
    expect(kept).toEqual({
      'metallb-controller': path.join(dir, 'metallb-controller.log'),
      'metallb-speaker': path.join(dir, 'metallb-speaker.log'),
    });
    const text = fs.readFileSync(kept['metallb-controller']!, 'utf8');
    expect(text.split('\n').slice(1, 3)).toEqual([
      '# 출처: API 서버를 거쳐 kubelet 에서',
      '# 컨텍스트: kwok-vdocs (kwok)',
    ]);
    expect(text).toContain('\nline 1001\n');
    expect(text).not.toContain('\nline 1000\n');
    expect(text).not.toContain('s3cr3t-token');
    const none = fs.readFileSync(kept['metallb-speaker']!, 'utf8');
    expect(none).toContain('# 출처: 없음 (아래 줄이 이유를 말합니다)');
    expect(none).toContain('[metallb-system/speaker-b speaker] 로그 없음 — API 서버가 주지 못했습니다: no logs found');
  });

  it("from the provider's file, the header names the file's writer", async () => {
    const provider = providerWith('kept-provider', [
      {
        record: {
          namespace: 'metallb-system',
          name: 'controller-a',
          uid: 'u1',
          labels: { app: 'metallb', component: 'controller' },
        },
        logs: { controller: ['MetalLB controller starting\n'] },
      },
    ]);
    const kept = await keepLogs(
      context(provider, fakeApi([pod('controller-a', 'u1', [['controller', 0]])], {})),
      true,
      path.join(tmp, 'kept-provider-out'),
    );
    const text = fs.readFileSync(kept['metallb-controller']!, 'utf8');
    expect(text).toContain('# 출처: kwok 샌드박스의 작은 kubelet 파일\n');
    expect(text).toMatch(
      /\[metallb-system\/controller-a controller — 출처: kwok 샌드박스의 작은 kubelet 파일 \S+\/0\.log \(API 서버가 주지 못함: no logs found .*\)\]\nMetalLB controller starting\n/,
    );
  });
});
