import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { SandboxState } from '../../scripts/cluster/state.ts';
import { formatError } from '../../scripts/lib/errors.ts';
import { memoryIo } from '../../scripts/lib/io.ts';
import { main } from '../../scripts/runbook/cli.ts';
import { connect, serverVersion } from '../../scripts/runbook/kube.ts';
import { readReport, RunReport } from '../../scripts/model/report.ts';
import metallb from '../../runbooks/metallb.ts';
import { codeFingerprint } from '../../scripts/model/fingerprint.ts';
import { readPage } from '../../scripts/model/page.ts';
import { verdict } from '../../scripts/model/verdict.ts';
import { bind } from '../../scripts/runbook/bind.ts';
import { cli, down, kubectl, testMirror, up } from './sandbox.ts';
import { pageCopy as copyOfPage } from './page-copy.ts';

/**
 * The MetalLB runbook end to end on a real API server, on one provider (kwok: e2e-runbook.test.ts;
 * pods, real kubelet and speaker: e2e-runbook-pods.test.ts): passes, passes again, refuses other
 * clusters without consent, keeps secrets out of every artefact, and turns exactly one step red
 * whenever a copy of the page documents something the cluster does not do.
 */
export function runbookSuite(
  provider: 'kwok' | 'pods',
  hooks: { before?: () => Promise<void>; after?: () => void } = {},
): void {
  const NAME = provider === 'kwok' ? 'e2e-runbook' : 'e2e-runbook-pods';
  const PAGE = 'src/content/docs/appendix/metallb.md';
  const MIRROR = testMirror();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${NAME}-`));
  let state: SandboxState;
  const consoles: string[] = [];
  /**
   * Dropping the `type: LoadBalancer` line leaves the stand-in ClusterIP with a loadBalancerIP: the
   * edit itself does what the page now says, and the next check sees TYPE ClusterIP and no address.
   */
  const DROPPED_RED = 'istio/get-after';
  const DROPPED_PROBLEM = 'istio-ingressgateway 행의 TYPE: 기대 "LoadBalancer", 실제 "ClusterIP"';

  function runbook(args: string[], env: Record<string, string | undefined> = {}) {
    const r = cli('runbook', ['metallb', '--sandbox', NAME, ...args], { RUNBOOK_MIRROR: MIRROR, ...env });
    consoles.push(r.stdout, r.stderr);
    return r;
  }

  const pageCopy = (name: string, mutate: (s: string) => string): string => copyOfPage(PAGE, tmp, name, mutate);

  function step(report: RunReport, id: string) {
    const s = report.steps.find((x) => x.id === id);
    if (!s) throw new Error(`no step ${id}`);
    return s;
  }

  /** resourceVersions of everything the runbook could write, to prove a refusal wrote nothing. */
  function writable(): string {
    return kubectl(state, [
      'get',
      'configmaps,services,namespaces,deployments,daemonsets,serviceaccounts,roles,rolebindings,clusterroles,clusterrolebindings',
      '-A',
      '--no-headers',
      '-o',
      'custom-columns=K:.kind,NS:.metadata.namespace,N:.metadata.name,RV:.metadata.resourceVersion',
    ]);
  }

  /** kube-proxy's ConfigMap as kubeadm left it: strictARP false, no last-applied annotation. */
  function resetStrictArp(): void {
    const cm = JSON.parse(kubectl(state, ['get', 'configmap', 'kube-proxy', '-n', 'kube-system', '-o', 'json']));
    delete cm.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
    cm.data['config.conf'] = cm.data['config.conf'].replace('strictARP: true', 'strictARP: false');
    kubectl(state, ['replace', '-f', '-'], JSON.stringify(cm));
  }

  beforeAll(async () => {
    await hooks.before?.();
    state = up(NAME, provider);
  }, 60 * 60_000); // a cold machine builds Kubernetes first (about 25 minutes on 2 cores)

  afterAll(() => {
    down(NAME);
    fs.rmSync(tmp, { recursive: true, force: true });
    hooks.after?.();
  }, 120_000);

  describe(`MetalLB runbook on the ${provider} sandbox`, () => {
    it('refuses a cluster that is not a sandbox without consent, and writes nothing', async () => {
      const config = YAML.parse(fs.readFileSync(state.kubeconfig, 'utf8'));
      config.contexts[0].name = 'not-a-sandbox';
      config['current-context'] = 'not-a-sandbox';
      const other = path.join(tmp, 'other-kubeconfig');
      fs.writeFileSync(other, YAML.stringify(config));
      const before = writable();

      const noTty = cli('runbook', ['metallb', '--context', 'not-a-sandbox'], {
        KUBECONFIG: other,
        RUNBOOK_MIRROR: MIRROR,
      });
      expect(noTty.code).toBe(2);
      expect(noTty.stderr).toContain(`API 서버: ${state.server}`);
      expect(noTty.stderr).toContain('strict-arp/apply: strictARP: true 로 변경');
      expect(noTty.stderr).toContain('--yes');

      const io = {
        ...memoryIo({ KUBECONFIG: other, PATH: process.env.PATH, RUNBOOK_MIRROR: MIRROR }),
        interactive: true,
        ask: async () => 'no',
      };
      let code: number;
      try {
        code = await main(['metallb', '--context', 'not-a-sandbox'], io);
      } catch (e) {
        code = formatError(e).exitCode;
      }
      expect(code).toBe(1);
      expect(io.stderr()).toContain('실행하지 않았습니다. 클러스터는 바뀌지 않았습니다.');
      expect(writable()).toBe(before);
    });

    it('reads the API over one kept-alive TLS connection, not a new handshake per request', async () => {
      const connects: unknown[] = [];
      const original = tls.connect;
      const counting = (...args: Parameters<typeof tls.connect>) => (connects.push(args[0]), original(...args));
      (tls as { connect: typeof tls.connect }).connect = counting as typeof tls.connect;
      try {
        const kube = await connect(state.kubeconfig);
        await serverVersion(kube);
        for (let i = 0; i < 10; i++) await kube.core.readNamespace({ name: 'kube-system' });
        expect(connects).toHaveLength(1);
      } finally {
        (tls as { connect: typeof tls.connect }).connect = original;
      }
    });

    it('passes end to end: strictARP true, pods Running, EXTERNAL-IPs .100 to .103', () => {
      const report = path.join(tmp, 'first.json');
      const junit = path.join(tmp, 'first.xml');
      const r = runbook(['--report', report, '--junit', junit]);
      expect(r.stderr.slice(-2000)).toContain('다음:');
      expect(r.code).toBe(0);
      const data = readReport(report);
      expect(data).toMatchObject({
        status: 'passed',
        provider,
        kubernetes: 'v1.37.0',
        components: { MetalLB: 'v0.11.0' },
      });
      expect(data.simulation?.simulated.join(' ')).toContain('speaker');
      expect(data.steps.filter((s) => s.status === 'failed')).toEqual([]);
      expect(step(data, 'strict-arp/apply').notes).toContain(
        '적용 뒤 strict-arp/check 가 읽는 ConfigMap kube-system/kube-proxy data["config.conf"] 의 ipvs.strictARP 를 API 로 다시 읽어 "strictARP: true" 를 확인했습니다.',
      );
      expect(step(data, 'strict-arp/apply').objects).toEqual([
        expect.objectContaining({ expected: 'true', actual: 'true', ok: true }),
      ]);
      expect(step(data, 'install/get-pods').actual).toMatch(/controller-\S+\s+1\/1\s+Running/);
      ['istio', 'minio', 'mlflow', 'grafana'].forEach((s, i) =>
        expect(step(data, `${s}/get-after`).actual).toContain(`192.168.35.10${i}`),
      );
      const browserSteps = ['istio/browser', 'minio/browser', 'mlflow/browser', 'grafana/browser'];
      if (provider === 'kwok')
        expect(data.steps.filter((s) => s.status === 'manual').map((s) => s.id)).toEqual(browserSteps);
      else
        browserSteps.forEach((id, i) =>
          expect(step(data, id)).toMatchObject({
            status: 'passed',
            browser: { status: 200, url: expect.stringContaining(`192.168.35.10${i}`) },
          }),
        );
      expect(fs.readFileSync(junit, 'utf8')).toContain('<testcase classname="metallb.istio" name="istio/get-after');
      // The components the runbook names, read at the end of the run, beside the report.
      expect(data.logs).toEqual({
        'metallb-controller': 'first.logs/metallb-controller.log',
        'metallb-speaker': 'first.logs/metallb-speaker.log',
      });
      expect(fs.readFileSync(path.join(tmp, 'first.logs', 'metallb-controller.log'), 'utf8')).toContain(
        'MetalLB controller starting',
      );
      // Object checks beside the text checks, each with the page's value and the API's.
      expect(step(data, 'strict-arp/check').objects).toEqual([
        {
          what: 'ConfigMap kube-system/kube-proxy data["config.conf"] 의 ipvs.strictARP',
          expected: 'false',
          actual: 'false',
          ok: true,
        },
      ]);
      expect(step(data, 'strict-arp/apply').objects).toEqual([
        {
          what: 'ConfigMap kube-system/kube-proxy data["config.conf"] 의 ipvs.strictARP',
          expected: 'true',
          actual: 'true',
          ok: true,
        },
      ]);
      const pods = step(data, 'install/get-pods').objects ?? [];
      expect(pods.length).toBeGreaterThanOrEqual(4);
      expect(pods.every((o) => o.ok)).toBe(true);
      expect(pods.map((o) => o.what).join('\n')).toMatch(/Pod metallb-system\/speaker-\S+ status\.phase/);
      expect(step(data, 'istio/get-after').objects).toEqual([
        {
          what: 'Service istio-system/istio-ingressgateway spec.type',
          expected: 'LoadBalancer',
          actual: 'LoadBalancer',
          ok: true,
        },
        {
          what: 'Service istio-system/istio-ingressgateway status.loadBalancer.ingress[0].ip',
          expected: '192.168.35.100',
          actual: '192.168.35.100',
          ok: true,
        },
      ]);
      // The edit is read back: what changed, from what.
      expect(step(data, 'minio/edit').changes).toEqual([
        { field: 'spec.type', documented: 'LoadBalancer', before: 'ClusterIP', after: 'LoadBalancer' },
        { field: 'spec.loadBalancerIP', documented: '192.168.35.101', before: '(없음)', after: '192.168.35.101' },
      ]);
      // The "before" tables compare stand-ins built from the page: marked apart, with the reason.
      // On pods the browser steps are stand-ins too: the address really answers, the dashboard behind it is a stand-in.
      // strictARP reads and changes the kube-proxy ConfigMap the sandbox seeded (kwok runs no kube-proxy; pods' kube-proxy reads its own file).
      const standIns = [
        'strict-arp/check',
        'strict-arp/apply',
        ...['istio', 'minio', 'mlflow', 'grafana'].flatMap((d) =>
          provider === 'pods' ? [`${d}/get-before`, `${d}/browser`] : [`${d}/get-before`],
        ),
      ];
      const judged = verdict({
        report: data,
        binding: bind(metallb, readPage(PAGE)),
        code: codeFingerprint(process.cwd()),
      });
      expect(judged.status, judged.reasons.join('\n')).toBe('passed');
      expect([...judged.steps].filter(([, v]) => v.status === 'standin').map(([id]) => id)).toEqual(standIns);
      expect(r.stdout).toContain('◐ istio/get-before  Kubeflow Dashboard: 변경 전 서비스 확인 (대역으로 확인)');
      expect(data.fingerprints.code['scripts/cluster/kubeproxy.ts']).toMatch(/^[0-9a-f]{16}$/);
      expect(step(data, 'install/apply').fetched?.map((f) => [f.url, f.source])).toEqual(
        ['namespace.yaml', 'metallb.yaml'].map((f) => [
          `https://raw.githubusercontent.com/metallb/metallb/v0.11.0/manifests/${f}`,
          MIRROR ? 'mirror' : 'url',
        ]),
      );
    }, 240_000);

    it('passes a second time on the same cluster (the page conditional skips the apply)', () => {
      const report = path.join(tmp, 'second.json');
      const r = runbook(['--report', report]);
      expect(r.code).toBe(0);
      const data = readReport(report);
      expect(data.status).toBe('passed');
      expect(step(data, 'strict-arp/apply')).toMatchObject({ status: 'skipped', skipCause: 'condition' });
      expect(step(data, 'strict-arp/check').objects?.[0]).toMatchObject({ expected: 'true', actual: 'true', ok: true });
      expect(step(data, 'strict-arp/apply').reason).toContain('strictARP: true');
      expect(step(data, 'config/apply').notes.join(' ')).toContain('configmap/config unchanged');
      expect(step(data, 'fixture/istio-system/istio-ingressgateway').notes[0]).toContain('다시 만들었습니다');
    }, 240_000);

    // The small kubelet of kwok keeps the token files where this test reads them; the redaction itself is the runner's, the same on every provider.
    it.runIf(provider === 'kwok')(
      'never shows the controller ServiceAccount token in console output, reports, JUnit or logs',
      () => {
        const pods = path.join(path.dirname(state.kubeconfig), 'kubelet', 'pods');
        const tokens = fs
          .readdirSync(pods, { recursive: true })
          .map(String)
          .filter((f) => path.basename(f) === 'token')
          .map((f) => fs.readFileSync(path.join(pods, f), 'utf8').trim());
        expect(tokens.length).toBeGreaterThan(0);
        const artefacts = fs
          .readdirSync(tmp, { recursive: true })
          .map((f) => path.join(tmp, String(f)))
          .filter((f) => fs.statSync(f).isFile());
        const texts = [...consoles, ...artefacts.map((f) => fs.readFileSync(f, 'utf8'))];
        for (const token of tokens) {
          expect(token.length).toBeGreaterThan(20);
          for (const text of texts) expect(text.includes(token)).toBe(false);
        }
      },
    );

    it.each([
      [
        'a wrong EXTERNAL-IP',
        'minio/get-after',
        ['--from', 'minio/get-before'],
        (s: string) => s.replace('192.168.35.101   9000:31371/TCP', '192.168.35.109   9000:31371/TCP'),
        'minio-service 행의 EXTERNAL-IP: 기대 "192.168.35.109", 실제 "192.168.35.101"',
      ],
      [
        'a wrong pod status',
        'install/get-pods',
        ['--only', 'install/get-pods'],
        (s: string) =>
          s.replace('speaker-fnf8l                 1/1     Running', 'speaker-fnf8l                 1/1     Pending '),
        '행의 STATUS: 기대 "Pending", 실제 "Running"',
      ],
      [
        'a wrong strictARP line (on a cluster back at strictARP: false)',
        'strict-arp/check',
        ['--only', 'strict-arp/check'],
        (s: string) =>
          s.replace(
            '```text step="strict-arp/check-output" of="strict-arp/check"\nstrictARP: false',
            '```text step="strict-arp/check-output" of="strict-arp/check"\nstrictARP: off',
          ),
        'stdout 에 페이지의 줄이 없습니다: "strictARP: off"',
      ],
      [
        'one character changed in a command',
        'grafana/get-before',
        ['--only', 'grafana/get-before'],
        (s: string) =>
          s.replace(
            '```bash step="grafana/get-before"\nkubectl get svc/seldon-core-analytics-grafana',
            '```bash step="grafana/get-before"\nkubectl get svc/seldon-core-analytics-grafama',
          ),
        '종료 코드: 기대 0, 실제 1',
      ],
      [
        'an IP outside the pool inside an edit block (and its output)',
        'grafana/get-after',
        ['--from', 'grafana/get-before'],
        (s: string) =>
          s
            .replace('loadBalancerIP: 192.168.35.103 # Add IP', 'loadBalancerIP: 192.168.35.120 # Add IP')
            .replace('192.168.35.103   80:31191/TCP', '192.168.35.120   80:31191/TCP'),
        'status.loadBalancer.ingress[0].ip: 기대(페이지) "192.168.35.120", 실제(API) "(없음)"',
      ],
      [
        'an edit that changes nothing (the marked line already holds)',
        'istio/edit',
        ['--from', 'istio/get-before'],
        (s: string) =>
          s
            .replace('ins={33-34}', 'ins={33}')
            .replace(
              '  type: LoadBalancer # Change ClusterIP to LoadBalancer\n  loadBalancerIP: 192.168.35.100   # Add IP\n',
              '  type: ClusterIP\n',
            ),
        '편집 전에 이미 spec.type=ClusterIP 였습니다: 페이지의 편집이 아무것도 바꾸지 않았습니다.',
      ],
      [
        'a dropped line in an edit block (type stays ClusterIP)',
        DROPPED_RED,
        ['--from', 'istio/get-before'],
        (s: string) =>
          s.replace('ins={33-34}', 'ins={33}').replace('  type: LoadBalancer # Change ClusterIP to LoadBalancer\n', ''),
        DROPPED_PROBLEM,
      ],
    ])(
      '%s on a copy of the page turns exactly that step red, with file:line',
      (_name, id, args, mutate, problem) => {
        if (id === 'strict-arp/check') resetStrictArp();
        const copy = pageCopy(`${id.replace('/', '-')}.md`, mutate);
        const report = path.join(tmp, `red-${id.replace('/', '-')}.json`);
        const r = runbook(['--page', copy, '--report', report, ...args], { RUNBOOK_WAIT_LIMIT: '4' });
        expect(r.code).toBe(1);
        const failed = readReport(report).steps.filter((s) => s.status === 'failed');
        expect(failed.map((s) => s.id)).toEqual([id]);
        expect(failed[0]?.problems.join('\n')).toContain(problem);
        expect(r.stderr).toMatch(new RegExp(`${path.basename(copy)}:\\d+`));
        expect(r.stderr).toContain(`✗ [`);
      },
      120_000,
    );

    it("a failed step shows the MetalLB controller's own log lines; the report keeps both components' logs, saying where they came from", () => {
      const copy = pageCopy('logs.md', (s) =>
        s.replace('192.168.35.101   9000:31371/TCP', '192.168.35.109   9000:31371/TCP'),
      );
      const report = path.join(tmp, 'red-logs.json');
      const r = runbook(['--page', copy, '--report', report, '--from', 'minio/get-before'], {
        RUNBOOK_WAIT_LIMIT: '4',
      });
      expect(r.code).toBe(1);
      const data = readReport(report);
      const failed = step(data, 'minio/get-after');
      expect(failed.status).toBe('failed');
      // kwok: the kubelet API of a kwok node is kwok's own and has no logs; the small kubelet's file stands in.
      const source = provider === 'kwok' ? 'kwok 샌드박스의 작은 kubelet 파일' : 'API 서버를 거쳐 kubelet 에서';
      // What the controller itself printed when it gave the edited Service its address, during this run.
      const assigned =
        /"event":"ipAllocated","ip":"192\.168\.35\.101","level":"info","msg":"IP address assigned by controller","service":"kubeflow\/minio-service"/;
      expect(failed.diagnostics).toContain(
        '--- metallb-controller 로그 (metallb-system 의 app=metallb,component=controller 파드, 컨테이너마다 마지막 30줄)',
      );
      expect(failed.diagnostics).toMatch(new RegExp(`\\[metallb-system/controller-\\S+ controller — 출처: ${source}`));
      expect(failed.diagnostics).toMatch(assigned);
      expect(r.stderr).toMatch(assigned);
      expect(data.logs).toEqual({
        'metallb-controller': 'red-logs.logs/metallb-controller.log',
        'metallb-speaker': 'red-logs.logs/metallb-speaker.log',
      });
      const controller = fs.readFileSync(path.join(tmp, 'red-logs.logs', 'metallb-controller.log'), 'utf8');
      expect(controller).toContain(`\n# 출처: ${source}\n`);
      expect(controller).toMatch(assigned);
      expect(controller).toContain('MetalLB controller starting');
      const speaker = fs.readFileSync(path.join(tmp, 'red-logs.logs', 'metallb-speaker.log'), 'utf8');
      if (provider === 'kwok') {
        // Simulated: no container ran, so one line says so (and why), instead of a missing file.
        expect(speaker).toContain('\n# 출처: 없음 (아래 줄이 이유를 말합니다)\n');
        expect(speaker).toMatch(
          /\n\[metallb-system\/speaker-\S+ speaker\] 로그 없음 — API 서버가 주지 못했습니다: .+ kwok 샌드박스의 작은 kubelet 파일에도 없습니다: kwok 이 흉내 낸 파드라 컨테이너가 실행되지 않았습니다\.\n/,
        );
      } else {
        expect(speaker).toContain('\n# 출처: API 서버를 거쳐 kubelet 에서\n');
        expect(speaker).toContain('MetalLB speaker starting');
      }
    }, 120_000);

    it('"already done" needs exit 0 and exactly the documented line: a failing check command is red', () => {
      // The cluster is at strictARP: true here (the runs above applied it), so the page's conditional is in play.
      const copy = pageCopy('already-done.md', (s) =>
        s.replace(
          'kubectl get configmap kube-proxy -n kube-system -o yaml | \\\ngrep strictARP\n```',
          'kubectl get configmap kube-proxy -n kube-system -o yaml | \\\ngrep strictARP\nfalse\n```',
        ),
      );
      const report = path.join(tmp, 'red-already-done.json');
      const r = runbook(['--page', copy, '--report', report, '--only', 'strict-arp/check']);
      expect(r.code).toBe(1);
      const failed = readReport(report).steps.filter((s) => s.status === 'failed');
      expect(failed.map((s) => s.id)).toEqual(['strict-arp/check']);
      expect(failed[0]?.problems.join('\n')).toContain('종료 코드: 기대 0, 실제 1');
    });

    it('a run of some steps only is partial: exit 0 for the chosen steps, but never passed', () => {
      const report = path.join(tmp, 'partial.json');
      const r = runbook(['--report', report, '--from', 'config/file']);
      expect(r.code).toBe(0);
      const data = readReport(report);
      expect(data.status).toBe('partial');
      expect(step(data, 'strict-arp/check')).toMatchObject({ status: 'skipped', skipCause: 'selection' });
      expect(r.stdout).toContain('부분 실행 (통과로 보지 않음)');
    }, 120_000);

    it('a wrong address pool on the page leaves the documented IP unassigned: red', () => {
      const copy = pageCopy('pool.md', (s) =>
        s.replace(
          '      - 192.168.35.100-192.168.35.110  # IP 대역폭',
          '      - 192.168.36.100-192.168.36.110  # IP 대역폭',
        ),
      );
      const report = path.join(tmp, 'red-pool.json');
      const r = runbook(['--page', copy, '--report', report, '--from', 'config/file'], { RUNBOOK_WAIT_LIMIT: '4' });
      expect(r.code).toBe(1);
      expect(step(readReport(report), 'istio/get-after')).toMatchObject({ status: 'failed' });
      expect(step(readReport(report), 'istio/get-after').problems.join(' ')).toContain('기대 "192.168.35.100"');
      // Put the page's own pool back for the tests after this one.
      expect(runbook(['--from', 'config/file']).code).toBe(0);
    }, 180_000);
  });
}
