import { describe, expect, it } from 'vitest';
import { matchLines } from '../scripts/runbook/match/lines.ts';
import type { LinesRule, TableRule } from '../scripts/model/runbook.ts';
import { matchTable, nameStem, parseTable } from '../scripts/runbook/match/table.ts';

const podsPage = `NAME                          READY   STATUS    RESTARTS   AGE
controller-7dcc8764f4-8n92q   1/1     Running   1          1m
speaker-fnf8l                 1/1     Running   1          1m`;

const pods: TableRule = {
  kind: 'table',
  block: 'install/get-pods-output',
  key: 'NAME',
  keyMatch: 'generated-suffix',
  volatile: ['RESTARTS', 'AGE'],
  rows: { speaker: { onePerNodeOf: { namespace: 'metallb-system', daemonSet: 'speaker' } } },
};

const svcAfterPage = `NAME                   TYPE           CLUSTER-IP    EXTERNAL-IP      PORT(S)                                                                      AGE
istio-ingressgateway   LoadBalancer   10.103.72.5   192.168.35.100   15021:31054/TCP,80:30853/TCP,443:30443/TCP,31400:30012/TCP,15443:31650/TCP   5h1m`;

const svc: TableRule = {
  kind: 'table',
  block: 'istio/get-after-output',
  key: 'NAME',
  keyMatch: 'exact',
  volatile: ['CLUSTER-IP', 'AGE'],
  ports: ['PORT(S)'],
};

describe('nameStem', () => {
  it.each([
    ['controller-7dcc8764f4-8n92q', 'controller'],
    ['speaker-fnf8l', 'speaker'],
    ['metallb-speaker-x2x4z', 'metallb-speaker'],
    ['speaker', 'speaker'],
    ['istio-ingressgateway', 'istio-ingressgateway'],
  ])('%s → %s', (name, stem) => expect(nameStem(name)).toBe(stem));
});

describe('parseTable', () => {
  it('keeps cells with single spaces, such as kubectl 1.22+ RESTARTS', () => {
    const t = parseTable(`NAME            READY   STATUS    RESTARTS      AGE
speaker-x2x4z   1/1     Running   1 (3m ago)    5m`);
    expect(t.rows[0]).toEqual({
      NAME: 'speaker-x2x4z',
      READY: '1/1',
      STATUS: 'Running',
      RESTARTS: '1 (3m ago)',
      AGE: '5m',
    });
  });

  it('finds a column by its whole header word: NAME is not the NAME in NAMESPACE', () => {
    // `kubectl get svc -A -L app`: the label column is empty for most rows, so those rows are cut by the header's columns.
    const t =
      parseTable(`NAMESPACE      NAME                   TYPE           CLUSTER-IP     EXTERNAL-IP      PORT(S)                        AGE   APP
default        kubernetes             ClusterIP      10.96.0.1      <none>           443/TCP                        5m
istio-system   istio-ingressgateway   LoadBalancer   10.96.201.17   192.168.35.100   15021:30512/TCP,80:31234/TCP   4s    istio-ingressgateway`);
    expect(t.header).toEqual(['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'APP']);
    expect(t.rows[0]).toEqual({
      NAMESPACE: 'default',
      NAME: 'kubernetes',
      TYPE: 'ClusterIP',
      'CLUSTER-IP': '10.96.0.1',
      'EXTERNAL-IP': '<none>',
      'PORT(S)': '443/TCP',
      AGE: '5m',
      APP: '',
    });
    expect(t.rows[1]).toMatchObject({
      NAMESPACE: 'istio-system',
      NAME: 'istio-ingressgateway',
      APP: 'istio-ingressgateway',
    });
  });
});

describe('matchTable: pods', () => {
  it.each([
    ['the page itself', podsPage, 1, true],
    [
      'generated names, restarts and age differ',
      `NAME                          READY   STATUS    RESTARTS   AGE
controller-5d8c4c8b7d-x2xkz   1/1     Running   0          35s
speaker-7r8vh                 1/1     Running   0          35s`,
      1,
      true,
    ],
    [
      'a pod still starting',
      `NAME                          READY   STATUS              RESTARTS   AGE
controller-5d8c4c8b7d-x2xkz   0/1     ContainerCreating   0          2s
speaker-7r8vh                 1/1     Running             0          2s`,
      1,
      false,
    ],
    [
      'two speakers on a two-node cluster',
      `NAME                          READY   STATUS    RESTARTS   AGE
controller-5d8c4c8b7d-x2xkz   1/1     Running   0          35s
speaker-7r8vh                 1/1     Running   0          35s
speaker-w2v4c                 1/1     Running   0          35s`,
      2,
      true,
    ],
    [
      'one speaker missing on a two-node cluster',
      `NAME                          READY   STATUS    RESTARTS   AGE
controller-5d8c4c8b7d-x2xkz   1/1     Running   0          35s
speaker-7r8vh                 1/1     Running   0          35s`,
      2,
      false,
    ],
    [
      'no controller',
      `NAME            READY   STATUS    RESTARTS   AGE
speaker-7r8vh   1/1     Running   0          35s`,
      1,
      false,
    ],
    ['no resources', '', 1, false],
  ])('%s', (_name, actual, nodes, ok) => {
    expect(matchTable(pods, podsPage, actual, { nodes: { speaker: nodes } }).ok).toBe(ok);
  });

  it('a node count the API could not give is a problem, never a skipped check', () => {
    const r = matchTable(pods, podsPage, podsPage, {});
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      'speaker 행은 노드마다 하나여야 하는데, metallb-system/speaker 가 파드를 두는 노드 수를 API 에서 읽지 못해 행 수를 확인하지 못했습니다.',
    ]);
  });

  it('says which row and column differ, in words a person reads', () => {
    const r = matchTable(
      pods,
      podsPage,
      `NAME                          READY   STATUS    RESTARTS   AGE
controller-5d8c4c8b7d-x2xkz   0/1     Pending   0          3s
speaker-7r8vh                 1/1     Running   0          3s`,
      { nodes: { speaker: 1 } },
    );
    expect(r.problems).toEqual([
      'controller-5d8c4c8b7d-x2xkz 행의 READY: 기대 "1/1", 실제 "0/1"',
      'controller-5d8c4c8b7d-x2xkz 행의 STATUS: 기대 "Running", 실제 "Pending"',
    ]);
    expect(r.diff).toContain('+ controller-5d8c4c8b7d-x2xkz   0/1     Pending');
    expect(r.diff).toContain('- controller-7dcc8764f4-8n92q   1/1     Running');
  });

  it('fails when the page shows a status the cluster does not (a wrong page turns red)', () => {
    const wrongPage = podsPage.replace(
      'speaker-fnf8l                 1/1     Running',
      'speaker-fnf8l                 1/1     Pending',
    );
    const r = matchTable(pods, wrongPage, podsPage, { nodes: { speaker: 1 } });
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(['speaker-fnf8l 행의 STATUS: 기대 "Pending", 실제 "Running"']);
  });
});

describe('matchTable: services', () => {
  it.each([
    [
      'assigned the documented IP, other node ports and cluster IP',
      `NAME                   TYPE           CLUSTER-IP     EXTERNAL-IP      PORT(S)                                                                      AGE
istio-ingressgateway   LoadBalancer   10.96.201.17   192.168.35.100   15021:30512/TCP,80:31234/TCP,443:32443/TCP,31400:30100/TCP,15443:30200/TCP   4s`,
      true,
      [],
    ],
    [
      'still pending',
      `NAME                   TYPE           CLUSTER-IP     EXTERNAL-IP   PORT(S)                                                                      AGE
istio-ingressgateway   LoadBalancer   10.96.201.17   <pending>     15021:30512/TCP,80:31234/TCP,443:32443/TCP,31400:30100/TCP,15443:30200/TCP   4s`,
      false,
      ['istio-ingressgateway 행의 EXTERNAL-IP: 기대 "192.168.35.100", 실제 "<pending>"'],
    ],
    [
      'another IP from the pool',
      `NAME                   TYPE           CLUSTER-IP     EXTERNAL-IP      PORT(S)                                                                      AGE
istio-ingressgateway   LoadBalancer   10.96.201.17   192.168.35.104   15021:30512/TCP,80:31234/TCP,443:32443/TCP,31400:30100/TCP,15443:30200/TCP   4s`,
      false,
      ['istio-ingressgateway 행의 EXTERNAL-IP: 기대 "192.168.35.100", 실제 "192.168.35.104"'],
    ],
    [
      'a service port missing',
      `NAME                   TYPE           CLUSTER-IP     EXTERNAL-IP      PORT(S)                                                       AGE
istio-ingressgateway   LoadBalancer   10.96.201.17   192.168.35.100   15021:30512/TCP,80:31234/TCP,443:32443/TCP,31400:30100/TCP   4s`,
      false,
      [
        'istio-ingressgateway 행의 PORT(S): 기대 "15021:31054/TCP,80:30853/TCP,443:30443/TCP,31400:30012/TCP,15443:31650/TCP", 실제 "15021:30512/TCP,80:31234/TCP,443:32443/TCP,31400:30100/TCP"',
      ],
    ],
    [
      'still ClusterIP',
      `NAME                   TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)                                        AGE
istio-ingressgateway   ClusterIP   10.96.201.17   <none>        15021/TCP,80/TCP,443/TCP,31400/TCP,15443/TCP   4s`,
      false,
      [
        'istio-ingressgateway 행의 TYPE: 기대 "LoadBalancer", 실제 "ClusterIP"',
        'istio-ingressgateway 행의 EXTERNAL-IP: 기대 "192.168.35.100", 실제 "<none>"',
      ],
    ],
  ])('%s', (_name, actual, ok, problems) => {
    const r = matchTable(svc, svcAfterPage, actual);
    expect(r.ok).toBe(ok);
    expect(r.problems).toEqual(problems);
  });

  it('turns red when the page documents a wrong EXTERNAL-IP', () => {
    const wrongPage = svcAfterPage.replace('192.168.35.100', '192.168.35.109');
    expect(matchTable(svc, wrongPage, svcAfterPage).problems).toEqual([
      'istio-ingressgateway 행의 EXTERNAL-IP: 기대 "192.168.35.109", 실제 "192.168.35.100"',
    ]);
  });

  it('reports a column the cluster no longer prints', () => {
    const r = matchTable(svc, svcAfterPage, 'NAME                   TYPE\nistio-ingressgateway   LoadBalancer');
    expect(r.problems[0]).toBe('실제 출력에 페이지의 열이 없습니다: CLUSTER-IP, EXTERNAL-IP, PORT(S), AGE');
  });
});

const warning =
  'Warning: resource configmaps/kube-proxy is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.';

describe('matchLines', () => {
  const grep: LinesRule = { kind: 'lines', block: 'strict-arp/check-output', mode: 'contains' };
  const apply: LinesRule = { kind: 'lines', block: 'strict-arp/apply-output', mode: 'exact', stderr: /^Warning: / };
  const created: LinesRule = { kind: 'lines', block: 'config/apply-output', mode: 'exact', applyVerbs: true };

  it.each<[string, LinesRule, string, { stdout: string; stderr: string }, boolean]>([
    ['grep keeps YAML indentation', grep, 'strictARP: false', { stdout: '      strictARP: false\n', stderr: '' }, true],
    [
      'grep after an apply also prints the annotation line',
      grep,
      'strictARP: true',
      {
        stdout: '      {"apiVersion":"v1","data":{"config.conf":"...strictARP: true..."}}\n      strictARP: true\n',
        stderr: '',
      },
      true,
    ],
    ['grep shows the other mode', grep, 'strictARP: false', { stdout: '      strictARP: true\n', stderr: '' }, false],
    ['grep finds nothing', grep, 'strictARP: false', { stdout: '', stderr: '' }, false],
    [
      'warning on stderr, result on stdout',
      apply,
      `${warning}\nconfigmap/kube-proxy configured`,
      { stdout: 'configmap/kube-proxy configured\n', stderr: `${warning}\n` },
      true,
    ],
    [
      'no warning (object was created with apply)',
      apply,
      `${warning}\nconfigmap/kube-proxy configured`,
      { stdout: 'configmap/kube-proxy configured\n', stderr: '' },
      false,
    ],
    [
      'warning on the wrong stream',
      apply,
      `${warning}\nconfigmap/kube-proxy configured`,
      { stdout: `${warning}\nconfigmap/kube-proxy configured\n`, stderr: '' },
      false,
    ],
    ['created', created, 'configmap/config created', { stdout: 'configmap/config created\n', stderr: '' }, true],
    [
      'unchanged on a second run',
      created,
      'configmap/config created',
      { stdout: 'configmap/config unchanged\n', stderr: '' },
      true,
    ],
    ['another object', created, 'configmap/config created', { stdout: 'configmap/other created\n', stderr: '' }, false],
    [
      'verbs are exact without the rule',
      { ...created, applyVerbs: false },
      'configmap/config created',
      { stdout: 'configmap/config unchanged\n', stderr: '' },
      false,
    ],
  ])('%s', (_name, rule, page, actual, ok) => {
    expect(matchLines(rule, page, actual).ok).toBe(ok);
  });

  it('shows expected versus actual per stream', () => {
    const r = matchLines(grep, 'strictARP: false', { stdout: '      strictARP: true\n', stderr: '' });
    expect(r.problems).toEqual(['stdout 에 페이지의 줄이 없습니다: "strictARP: false"']);
    expect(r.diff).toBe('[stdout]\n- strictARP: false\n+ strictARP: true');
  });

  it('notes an accepted apply verb', () => {
    const r = matchLines(created, 'configmap/config created', { stdout: 'configmap/config unchanged\n', stderr: '' });
    expect(r.notes).toEqual([
      '"configmap/config unchanged" 를 페이지의 "configmap/config created" 와 같은 결과로 보았습니다 (이미 있는 리소스에 다시 apply 한 경우).',
    ]);
  });
});
