/**
 * What the two MetalLB pages' runbooks share: the strictARP section, the installed pods, the four
 * dashboard sections, their stand-in Services, the components' logs and images. Each page's runbook
 * composes these in its page's order and adds what only that page has. (Not a runbook itself: only
 * files directly in runbooks/ are.)
 */
import { componentLogs, edit, goImage, lines, manual, run, serviceFixture, table } from '../../scripts/model/define.ts';
import type { ComponentLogs, ImageBuild, ServiceFixture, Step } from '../../scripts/model/runbook.ts';

/** kubectl get svc: NAME, TYPE, EXTERNAL-IP and service ports exact; cluster IP, node ports and age vary. */
const service = { key: 'NAME', keyMatch: 'exact', volatile: ['CLUSTER-IP', 'AGE'], ports: ['PORT(S)'] } as const;

/** The four dashboards of the "MetalLB 사용" section: step id prefix and title. */
const DASHBOARDS = [
  ['istio', 'Kubeflow Dashboard'],
  ['minio', 'minio Dashboard'],
  ['mlflow', 'mlflow Dashboard'],
  ['grafana', 'Grafana Dashboard'],
] as const;

/** Check, edit, wait for the documented IP, open it in a browser: one dashboard section. */
function dashboard(section: string, name: string, editTitle: string): Step[] {
  return [
    run(`${section}/get-before`, `${name}: 변경 전 서비스 확인`, {
      output: table(`${section}/get-before-output`, service),
      object: { kind: 'service' },
    }),
    edit(`${section}/edit`, `${name}: ${editTitle}`, `${section}/edit-spec`),
    run(`${section}/get-after`, `${name}: EXTERNAL-IP 할당 확인`, {
      output: table(`${section}/get-after-output`, service),
      object: { kind: 'service' },
      eventually: { within: '1m' },
    }),
    manual(`${section}/browser`, `${name}: 웹 브라우저로 접속 화면 확인`),
  ];
}

/** Every dashboard section, in the page's order. */
export const dashboards = (editTitle: string): Step[] =>
  DASHBOARDS.flatMap(([section, name]) => dashboard(section, name, editTitle));

/** The Services earlier chapters install, made from each section's edit block when absent. */
export const dashboardFixtures = (): ServiceFixture[] =>
  DASHBOARDS.map(([section]) => serviceFixture(`${section}/edit`, `${section}/edit-spec`, `${section}/get-before`));

/** The controller's and speakers' logs, by label. */
export const metallbLogs = (): ComponentLogs[] => [
  componentLogs('metallb-controller', 'metallb-system', 'app=metallb,component=controller'),
  componentLogs('metallb-speaker', 'metallb-system', 'app=metallb,component=speaker'),
];

/**
 * The manifest's two images, built from the tagged source (upstream's Dockerfiles put the binaries
 * at /controller and /speaker). `controller` adds to the controller's build (bumps, running it
 * where nodes are simulated).
 */
export function metallbImages(
  version: string,
  extra: { bumps?: Record<string, string>; runControllerOnSimulatedNodes?: boolean } = {},
): ImageBuild[] {
  const build = { module: 'go.universe.tf/metallb', version, ...(extra.bumps ? { bumps: extra.bumps } : {}) };
  return [
    goImage(`quay.io/metallb/controller:${version}`, 'MetalLB controller', {
      ...build,
      package: 'go.universe.tf/metallb/controller',
      entrypoint: '/controller',
      ...(extra.runControllerOnSimulatedNodes ? { runOnSimulatedNodes: true } : {}),
    }),
    goImage(`quay.io/metallb/speaker:${version}`, 'MetalLB speaker', {
      ...build,
      package: 'go.universe.tf/metallb/speaker',
      entrypoint: '/speaker',
    }),
  ];
}

/** The strictARP check (with the page's "already done" sentence) and its change. */
export function strictArp(because: string): Step[] {
  return [
    run('strict-arp/check', 'kube-proxy 의 strictARP 모드 확인', {
      // grep also prints the last-applied annotation line after an apply: stdout contains the line; stderr stays empty.
      output: lines('strict-arp/check-output', { mode: 'contains', streams: { stderr: 'exact' } }),
      object: { kind: 'config', key: 'config.conf', field: 'ipvs.strictARP' },
      alreadyDone: { line: 'strictARP: true', skip: ['strict-arp/apply'], because },
    }),
    run('strict-arp/apply', 'strictARP: true 로 변경', {
      writes: true,
      output: lines('strict-arp/apply-output', { mode: 'exact', stderr: /^Warning: / }),
      confirm: { step: 'strict-arp/check', line: 'strictARP: true' },
    }),
  ];
}

/** `kubectl get pod -n metallb-system`: the controller and one speaker per node the DaemonSet places a pod on, Running and ready. */
export function installedPods(title: string): Step {
  return run('install/get-pods', title, {
    output: table('install/get-pods-output', {
      key: 'NAME',
      keyMatch: 'generated-suffix',
      volatile: ['RESTARTS', 'AGE'],
      rows: { speaker: { onePerNodeOf: { namespace: 'metallb-system', daemonSet: 'speaker' } } },
    }),
    object: { kind: 'pods' },
    eventually: { within: '3m' },
  });
}
