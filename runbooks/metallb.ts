/**
 * Runbook for src/content/docs/appendix/metallb.md, in the page's order.
 * Every command comes from the page by step id; this file adds titles, matching rules and waits.
 */
import { componentLogs, defineRunbook, edit, file, goImage, lines, manual, run, serviceFixture, table } from '../scripts/model/define.ts';
import type { Step } from '../scripts/model/runbook.ts';

/** kubectl get svc: NAME, TYPE, EXTERNAL-IP and service ports exact; cluster IP, node ports and age vary. */
const service = { key: 'NAME', keyMatch: 'exact', volatile: ['CLUSTER-IP', 'AGE'], ports: ['PORT(S)'] } as const;

/** MetalLB v0.11.0's go.mod pins modules that no longer build: reflect2 v1.0.1 breaks on Go >= 1.18. */
const bumps = { 'github.com/modern-go/reflect2': 'v1.0.2', 'github.com/json-iterator/go': 'v1.1.12' };
const metallb = { module: 'go.universe.tf/metallb', version: 'v0.11.0', bumps } as const;

/** One "MetalLB 사용" section: check, edit to LoadBalancer, wait for the documented IP, look in a browser. */
function dashboard(section: string, name: string): Step[] {
  return [
    run(`${section}/get-before`, `${name}: 변경 전 서비스 확인`, { output: table(`${section}/get-before-output`, service), object: { kind: 'service' } }),
    edit(`${section}/edit`, `${name}: type LoadBalancer 와 loadBalancerIP 로 편집`, `${section}/edit-spec`),
    run(`${section}/get-after`, `${name}: EXTERNAL-IP 할당 확인`, {
      output: table(`${section}/get-after-output`, service),
      object: { kind: 'service' },
      eventually: { within: '1m' },
    }),
    manual(`${section}/browser`, `${name}: 웹 브라우저로 접속 화면 확인`),
  ];
}

export default defineRunbook({
  name: 'metallb',
  page: 'src/content/docs/appendix/metallb.md',
  fixtures: [
    serviceFixture('istio/edit', 'istio/edit-spec', 'istio/get-before'),
    serviceFixture('minio/edit', 'minio/edit-spec', 'minio/get-before'),
    serviceFixture('mlflow/edit', 'mlflow/edit-spec', 'mlflow/get-before'),
    serviceFixture('grafana/edit', 'grafana/edit-spec', 'grafana/get-before'),
  ],
  versions: [{ name: 'MetalLB', namespace: 'metallb-system', deployment: 'controller' }],
  // The manifest's two images, built from the tagged source (upstream's Dockerfiles put the binaries at /controller and /speaker).
  images: [
    goImage('quay.io/metallb/controller:v0.11.0', 'MetalLB controller', { ...metallb, package: 'go.universe.tf/metallb/controller', entrypoint: '/controller', runOnSimulatedNodes: true }),
    goImage('quay.io/metallb/speaker:v0.11.0', 'MetalLB speaker', { ...metallb, package: 'go.universe.tf/metallb/speaker', entrypoint: '/speaker' }),
  ],
  logs: [
    componentLogs('metallb-controller', 'metallb-system', 'app=metallb,component=controller'),
    componentLogs('metallb-speaker', 'metallb-system', 'app=metallb,component=speaker'),
  ],
  steps: [
    run('strict-arp/check', 'kube-proxy 의 strictARP 모드 확인', {
      // grep also prints the last-applied annotation line after an apply: stdout contains the line; stderr stays empty.
      output: lines('strict-arp/check-output', { mode: 'contains', streams: { stderr: 'exact' } }),
      object: { kind: 'config', key: 'config.conf', field: 'ipvs.strictARP' },
      alreadyDone: {
        line: 'strictARP: true',
        skip: ['strict-arp/apply'],
        because: '페이지: "strictARP: true가 이미 출력된다면 다음 커맨드를 수행하지 않으셔도 됩니다."',
      },
    }),
    run('strict-arp/apply', 'strictARP: true 로 변경', {
      writes: true,
      output: lines('strict-arp/apply-output', { mode: 'exact', stderr: /^Warning: / }),
      confirm: { step: 'strict-arp/check', line: 'strictARP: true' },
    }),
    run('install/apply', 'MetalLB v0.11.0 매니페스트 적용', {
      writes: true,
      output: lines('install/apply-output', { mode: 'exact', applyVerbs: true, stderr: /^Warning: / }),
      drift: {
        since: '1.25',
        // stdout: the page's list without the PodSecurityPolicy lines; stderr: exactly the two documented errors.
        output: lines('install/apply-psp-errors', { mode: 'exact', stderr: /^(resource mapping not found|ensure CRDs are installed first)/ }),
        withoutLines: /^(podsecuritypolicy\.policy\/|Warning: policy\/v1beta1 PodSecurityPolicy)/,
        exitCode: 1,
        because: 'Kubernetes 1.25 에서 policy/v1beta1 PodSecurityPolicy 가 제거되었습니다. 페이지의 주의 상자가 이 오류를 밝히고 있습니다.',
      },
    }),
    run('install/get-pods', 'controller 와 speaker 파드가 Running 인지 확인', {
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
    run('config/apply', 'Layer 2 주소 풀 설정 적용', {
      writes: true,
      output: lines('config/apply-output', { mode: 'exact', applyVerbs: true }),
    }),
    ...dashboard('istio', 'Kubeflow Dashboard'),
    ...dashboard('minio', 'minio Dashboard'),
    ...dashboard('mlflow', 'mlflow Dashboard'),
    ...dashboard('grafana', 'Grafana Dashboard'),
  ],
});
