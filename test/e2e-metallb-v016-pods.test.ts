import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readReport, type RunReport } from '../scripts/model/report.ts';
import type { SandboxState } from '../scripts/cluster/state.ts';
import { machineHooks, providerDescribe } from './helpers/machine.ts';
import { cli, down, kubectl, testMirror, up } from './helpers/sandbox.ts';
import { pageCopy as copyOfPage } from './helpers/page-copy.ts';

/**
 * The second page (MetalLB v0.16.1: CRDs, IPAddressPool, L2Advertisement and the controller's
 * validating webhook) on the pods provider, where its pods really run: the whole page passes, and
 * copies of the page with a wrong value turn exactly that step red — including a pool that does
 * not overlap, which the real webhook then lets through.
 */
const NAME = 'v016';
const PAGE = 'src/content/docs/appendix/metallb-v0-16.md';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-v016-'));
const hooks = machineHooks();
let state: SandboxState;

function runbook(args: string[], env: Record<string, string> = {}) {
  return cli('runbook', ['metallb-v0-16', '--sandbox', NAME, ...args], { RUNBOOK_MIRROR: testMirror(), ...env });
}

const pageCopy = (name: string, mutate: (s: string) => string): string => copyOfPage(PAGE, tmp, name, mutate);

const step = (report: RunReport, id: string) => report.steps.find((s) => s.id === id)!;

providerDescribe('pods', 'e2e-metallb-v016-pods')('MetalLB v0.16.1 page on the pods sandbox', () => {
  beforeAll(async () => {
    await hooks.before();
    state = up(NAME, 'pods');
  }, 60 * 60_000);
  afterAll(() => {
    down(NAME);
    fs.rmSync(tmp, { recursive: true, force: true });
    hooks.after();
  }, 120_000);

  it(
    'passes end to end: CRDs, the webhook accepts the pool and refuses the overlapping one, EXTERNAL-IPs .100 to .103 answer',
    () => {
      const file = path.join(tmp, 'pass.json');
      const r = runbook(['--report', file]);
      expect(r.code, r.stderr.slice(-4000)).toBe(0);
      const report = readReport(file);
      expect(report.status).toBe('passed');
      expect(report.components).toMatchObject({ MetalLB: 'v0.16.1' });
      // The refusal is the real webhook's: the request reached the controller pod and came back denied.
      expect(step(report, 'webhook/apply')).toMatchObject({ status: 'passed', exitCode: 1 });
      expect(step(report, 'webhook/apply').actual).toContain(
        'admission webhook "ipaddresspoolvalidationwebhook.metallb.io" denied the request',
      );
      expect(kubectl(state, ['get', 'ipaddresspool', '-n', 'metallb-system', '-o', 'name']).trim()).toBe(
        'ipaddresspool.metallb.io/first-pool',
      );
      expect(
        kubectl(state, [
          'get',
          'validatingwebhookconfiguration',
          'metallb-webhook-configuration',
          '-o',
          'jsonpath={.webhooks[0].clientConfig.caBundle}',
        ]).length,
      ).toBeGreaterThan(100);
      for (const id of ['istio/browser', 'minio/browser', 'mlflow/browser', 'grafana/browser'])
        expect(step(report, id).browser?.status).toBe(200);
      expect(report.simulation?.simulated).toEqual(
        expect.arrayContaining([
          expect.stringContaining(
            'MetalLB controller (quay.io/metallb/controller:v0.16.1): 내려받지 않고 같은 태그의 소스(go.universe.tf/metallb v0.16.1)',
          ),
        ]),
      );
    },
    10 * 60_000,
  );

  it.each([
    [
      'a pool the webhook accepts (no overlap)',
      (s: string) => s.replace('  - 192.168.35.105-192.168.35.120', '  - 192.168.35.130-192.168.35.140'),
      'webhook/file',
      'webhook/apply',
      '종료 코드: 기대 1, 실제 0',
    ],
    [
      'a different CIDR in the denial',
      (s: string) => s.replace('already defined CIDR "192.168.35.104/30"', 'already defined CIDR "192.168.35.100/30"'),
      'webhook/file',
      'webhook/apply',
      'stderr 가 페이지와 다릅니다',
    ],
    [
      'another address in the loadBalancerIPs annotation of an edit',
      (s: string) =>
        s.replace(
          '    metallb.io/loadBalancerIPs: 192.168.35.100 # Add IP',
          '    metallb.io/loadBalancerIPs: 192.168.35.109 # Add IP',
        ),
      'istio/get-before',
      'istio/get-after',
      'istio-ingressgateway 행의 EXTERNAL-IP: 기대 "192.168.35.100", 실제 "192.168.35.109"',
    ],
  ])(
    '%s on a copy of the page turns exactly that step red',
    (name, mutate, from, red, problem) => {
      // The overlapping pool of the first case was created: remove it so the next cases start from the page's state.
      kubectl(state, ['delete', 'ipaddresspool', '-n', 'metallb-system', 'overlapping-pool', '--ignore-not-found']);
      const copy = pageCopy(`${name.replace(/\W+/g, '-')}.md`, mutate);
      const file = path.join(tmp, `${name.replace(/\W+/g, '-')}.json`);
      const r = runbook(['--page', copy, '--report', file, '--from', from], { RUNBOOK_WAIT_LIMIT: '4' });
      expect(r.code).toBe(1);
      const report = readReport(file);
      expect(report.steps.filter((s) => s.status === 'failed').map((s) => s.id)).toEqual([red]);
      expect(step(report, red).problems.join('\n')).toContain(problem);
      expect(r.stderr).toMatch(new RegExp(`${path.basename(copy)}:\\d+`));
    },
    5 * 60_000,
  );
});
