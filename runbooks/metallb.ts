/**
 * Runbook for src/content/docs/appendix/metallb.md, in the page's order.
 * Every command comes from the page by step id; this file adds titles, matching rules and waits
 * (what it shares with the v0.16.1 page lives in runbooks/lib/metallb.ts).
 */
import { defineRunbook, file, lines, run } from '../scripts/model/define.ts';
import { dashboardFixtures, dashboards, installedPods, metallbImages, metallbLogs, strictArp } from './lib/metallb.ts';

export default defineRunbook({
  name: 'metallb',
  page: 'src/content/docs/appendix/metallb.md',
  fixtures: dashboardFixtures(),
  versions: [{ name: 'MetalLB', namespace: 'metallb-system', deployment: 'controller' }],
  // MetalLB v0.11.0's go.mod pins modules that no longer build: reflect2 v1.0.1 breaks on Go >= 1.18.
  // Its controller also runs where nodes are simulated (kwok): it assigns the EXTERNAL-IPs there.
  images: metallbImages('v0.11.0', {
    bumps: { 'github.com/modern-go/reflect2': 'v1.0.2', 'github.com/json-iterator/go': 'v1.1.12' },
    runControllerOnSimulatedNodes: true,
  }),
  logs: metallbLogs(),
  // sha256 of the manifests install/apply reads (from the offline mirror's copies): a mirror copy or a download with other bytes fails the step.
  pins: {
    'https://raw.githubusercontent.com/metallb/metallb/v0.11.0/manifests/namespace.yaml':
      '51a1c68cd8f92e4653075ea978642689a7786099000f9017a616567bab76114f',
    'https://raw.githubusercontent.com/metallb/metallb/v0.11.0/manifests/metallb.yaml':
      '3fa4893469564b52d243b833ba93298b3289a76e01973ffe9ddc635b189fa4b2',
  },
  steps: [
    ...strictArp('페이지: "strictARP: true가 이미 출력된다면 다음 커맨드를 수행하지 않으셔도 됩니다."'),
    run('install/apply', 'MetalLB v0.11.0 매니페스트 적용', {
      writes: true,
      output: lines('install/apply-output', { mode: 'exact', applyVerbs: true, stderr: /^Warning: / }),
      drift: {
        since: '1.25',
        // stdout: the page's list without the PodSecurityPolicy lines; stderr: exactly the two documented errors.
        output: lines('install/apply-psp-errors', {
          mode: 'exact',
          stderr: /^(resource mapping not found|ensure CRDs are installed first)/,
        }),
        withoutLines: /^(podsecuritypolicy\.policy\/|Warning: policy\/v1beta1 PodSecurityPolicy)/,
        exitCode: 1,
        because:
          'Kubernetes 1.25 에서 policy/v1beta1 PodSecurityPolicy 가 제거되었습니다. 페이지의 주의 상자가 이 오류를 밝히고 있습니다.',
      },
    }),
    installedPods('controller 와 speaker 파드가 Running 인지 확인'),
    file('config/file', 'metallb_config.yaml 작성'),
    run('config/apply', 'Layer 2 주소 풀 설정 적용', {
      writes: true,
      output: lines('config/apply-output', { mode: 'exact', applyVerbs: true }),
    }),
    ...dashboards('type LoadBalancer 와 loadBalancerIP 로 편집'),
  ],
});
