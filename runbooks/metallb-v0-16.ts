/**
 * Runbook for src/content/docs/appendix/metallb-v0-16.md (MetalLB v0.16.1 with IPAddressPool and
 * L2Advertisement), in the page's order. Every command comes from the page by step id; this file
 * adds titles, matching rules, waits and what the page needs from the cluster (what it shares with
 * the v0.11.0 page lives in runbooks/lib/metallb.ts).
 */
import { defineRunbook, file, lines, run, table } from '../scripts/model/define.ts';
import { dashboardFixtures, dashboards, installedPods, metallbImages, metallbLogs, strictArp } from './lib/metallb.ts';

export default defineRunbook({
  name: 'metallb-v0-16',
  page: 'src/content/docs/appendix/metallb-v0-16.md',
  fixtures: dashboardFixtures(),
  versions: [{ name: 'MetalLB', namespace: 'metallb-system', deployment: 'controller' }],
  needs: {
    runningPods:
      'IPAddressPool 과 L2Advertisement 를 만들 때 API 서버가 controller 파드의 검증 웹훅(metallb-webhook-service:443)을 부르고, 웹훅이 거부하면 만들어지지 않습니다(failurePolicy: Fail). 파드 네트워크가 없으면 웹훅에 닿지 않아 설정 단계가 실패합니다.',
  },
  images: metallbImages('v0.16.1'),
  logs: metallbLogs(),
  // sha256 of the manifest install/apply reads (from the offline mirror's copy): a mirror copy or a download with other bytes fails the step.
  pins: {
    'https://raw.githubusercontent.com/metallb/metallb/v0.16.1/config/manifests/metallb-native.yaml':
      'bf25feebb7582ca7df845efd52ffbc2960d6cbf4cfc972f47fded9f788b67f0b',
  },
  steps: [
    ...strictArp('페이지: "strictARP: true 가 이미 출력된다면 다음 명령은 실행하지 않아도 됩니다."'),
    run('install/apply', 'MetalLB v0.16.1 매니페스트 적용', {
      writes: true,
      output: lines('install/apply-output', { mode: 'exact', applyVerbs: true }),
    }),
    installedPods('controller 와 speaker 파드가 Running 이고 준비되었는지 확인'),
    file('config/file', 'metallb_config.yaml 작성'),
    run('config/apply', 'IPAddressPool 과 L2Advertisement 적용 (웹훅을 거침)', {
      writes: true,
      output: lines('config/apply-output', { mode: 'exact', applyVerbs: true }),
      // The webhook answers once the controller has written its certificate: a first refusal is retried.
      eventually: { within: '1m' },
    }),
    run('config/get-pool', '주소 풀 확인', {
      output: table('config/get-pool-output', { key: 'NAME', keyMatch: 'exact', volatile: [] }),
    }),
    file('webhook/file', 'overlapping_pool.yaml 작성'),
    run('webhook/apply', '겹치는 주소 풀이 웹훅에 거부되는지 확인', {
      exitCode: 1,
      output: lines('webhook/apply-output', { mode: 'exact', stderr: /^Error from server / }),
    }),
    ...dashboards('metallb.io/loadBalancerIPs 주석과 type LoadBalancer 로 편집'),
  ],
});
