/**
 * Runbook for src/content/docs/appendix/metallb-v0-16.md (MetalLB v0.16.1 with IPAddressPool and
 * L2Advertisement), in the page's order. Every command comes from the page by step id; this file
 * adds titles, matching rules, waits and what the page needs from the cluster.
 */
import { componentLogs, defineRunbook, edit, file, goImage, lines, manual, run, serviceFixture, table } from '../scripts/model/define.ts';
import type { Step } from '../scripts/model/runbook.ts';

const metallb = { module: 'go.universe.tf/metallb', version: 'v0.16.1' } as const;

/** kubectl get svc: NAME, TYPE, EXTERNAL-IP and service ports exact; cluster IP, node ports and age vary. */
const service = { key: 'NAME', keyMatch: 'exact', volatile: ['CLUSTER-IP', 'AGE'], ports: ['PORT(S)'] } as const;

/** One "MetalLB 사용" section: check, edit (annotation and type), wait for the documented IP, open it. */
function dashboard(section: string, name: string): Step[] {
  return [
    run(`${section}/get-before`, `${name}: 변경 전 서비스 확인`, { output: table(`${section}/get-before-output`, service), object: { kind: 'service' } }),
    edit(`${section}/edit`, `${name}: metallb.io/loadBalancerIPs 주석과 type LoadBalancer 로 편집`, `${section}/edit-spec`),
    run(`${section}/get-after`, `${name}: EXTERNAL-IP 할당 확인`, {
      output: table(`${section}/get-after-output`, service),
      object: { kind: 'service' },
      eventually: { within: '1m' },
    }),
    manual(`${section}/browser`, `${name}: 웹 브라우저로 접속 화면 확인`),
  ];
}

export default defineRunbook({
  name: 'metallb-v0-16',
  page: 'src/content/docs/appendix/metallb-v0-16.md',
  fixtures: [
    serviceFixture('istio/edit', 'istio/edit-spec', 'istio/get-before'),
    serviceFixture('minio/edit', 'minio/edit-spec', 'minio/get-before'),
    serviceFixture('mlflow/edit', 'mlflow/edit-spec', 'mlflow/get-before'),
    serviceFixture('grafana/edit', 'grafana/edit-spec', 'grafana/get-before'),
  ],
  versions: [{ name: 'MetalLB', namespace: 'metallb-system', deployment: 'controller' }],
  needs: {
    runningPods: 'IPAddressPool 과 L2Advertisement 를 만들 때 API 서버가 controller 파드의 검증 웹훅(metallb-webhook-service:443)을 부르고, 웹훅이 거부하면 만들어지지 않습니다(failurePolicy: Fail). 파드 네트워크가 없으면 웹훅에 닿지 않아 설정 단계가 실패합니다.',
  },
  // The manifest's two images, built from the tagged source (upstream's Dockerfiles put the binaries at /controller and /speaker).
  images: [
    goImage('quay.io/metallb/controller:v0.16.1', 'MetalLB controller', { ...metallb, package: 'go.universe.tf/metallb/controller', entrypoint: '/controller' }),
    goImage('quay.io/metallb/speaker:v0.16.1', 'MetalLB speaker', { ...metallb, package: 'go.universe.tf/metallb/speaker', entrypoint: '/speaker' }),
  ],
  logs: [
    componentLogs('metallb-controller', 'metallb-system', 'app=metallb,component=controller'),
    componentLogs('metallb-speaker', 'metallb-system', 'app=metallb,component=speaker'),
  ],
  steps: [
    run('strict-arp/check', 'kube-proxy 의 strictARP 모드 확인', {
      output: lines('strict-arp/check-output', { mode: 'contains', streams: { stderr: 'exact' } }),
      object: { kind: 'config', key: 'config.conf', field: 'ipvs.strictARP' },
      alreadyDone: {
        line: 'strictARP: true',
        skip: ['strict-arp/apply'],
        because: '페이지: "strictARP: true 가 이미 출력된다면 다음 명령은 실행하지 않아도 됩니다."',
      },
    }),
    run('strict-arp/apply', 'strictARP: true 로 변경', {
      writes: true,
      output: lines('strict-arp/apply-output', { mode: 'exact', stderr: /^Warning: / }),
      confirm: { step: 'strict-arp/check', line: 'strictARP: true' },
    }),
    run('install/apply', 'MetalLB v0.16.1 매니페스트 적용', {
      writes: true,
      output: lines('install/apply-output', { mode: 'exact', applyVerbs: true }),
    }),
    run('install/get-pods', 'controller 와 speaker 파드가 Running 이고 준비되었는지 확인', {
      output: table('install/get-pods-output', {
        key: 'NAME',
        keyMatch: 'generated-suffix',
        volatile: ['RESTARTS', 'AGE'],
        rows: { speaker: { onePerNodeOf: { namespace: 'metallb-system', daemonSet: 'speaker' } } },
      }),
      object: { kind: 'pods' },
      eventually: { within: '3m' },
    }),
    file('config/file', 'metallb_config.yaml 작성'),
    run('config/apply', 'IPAddressPool 과 L2Advertisement 적용 (웹훅을 거침)', {
      writes: true,
      output: lines('config/apply-output', { mode: 'exact', applyVerbs: true }),
      // The webhook answers once the controller has written its certificate: a first refusal is retried.
      eventually: { within: '1m' },
    }),
    run('config/get-pool', '주소 풀 확인', { output: table('config/get-pool-output', { key: 'NAME', keyMatch: 'exact', volatile: [] }) }),
    file('webhook/file', 'overlapping_pool.yaml 작성'),
    run('webhook/apply', '겹치는 주소 풀이 웹훅에 거부되는지 확인', {
      exitCode: 1,
      output: lines('webhook/apply-output', { mode: 'exact', stderr: /^Error from server / }),
    }),
    ...dashboard('istio', 'Kubeflow Dashboard'),
    ...dashboard('minio', 'minio Dashboard'),
    ...dashboard('mlflow', 'mlflow Dashboard'),
    ...dashboard('grafana', 'Grafana Dashboard'),
  ],
});
