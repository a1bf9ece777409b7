import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { SandboxState } from '../scripts/cluster/state.ts';
import { formatError } from '../scripts/lib/errors.ts';
import { memoryIo } from '../scripts/lib/io.ts';
import { main } from '../scripts/runbook/cli.ts';
import { readReport, RunReport } from '../scripts/runbook/report.ts';
import { cli, down, kubectl, testMirror, up } from './helpers/sandbox.ts';

/**
 * The MetalLB runbook end to end on a real API server (kwok sandbox): passes, passes again,
 * refuses other clusters without consent, keeps secrets out of every artefact, and turns a
 * step red whenever a copy of the page documents something the cluster does not do.
 */
const NAME = 'e2e-runbook';
const PAGE = 'src/content/docs/appendix/metallb.md';
const MIRROR = testMirror();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-runbook-'));
let state: SandboxState;
const consoles: string[] = [];

function runbook(args: string[], env: Record<string, string | undefined> = {}) {
  const r = cli('runbook', ['metallb', '--sandbox', NAME, ...args], { RUNBOOK_MIRROR: MIRROR, ...env });
  consoles.push(r.stdout, r.stderr);
  return r;
}

function pageCopy(name: string, mutate: (s: string) => string): string {
  const source = fs.readFileSync(PAGE, 'utf8');
  const copy = mutate(source);
  expect(copy, 'the mutation changed the page').not.toBe(source);
  const file = path.join(tmp, name);
  fs.writeFileSync(file, copy);
  return file;
}

function step(report: RunReport, id: string) {
  const s = report.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
}

/** resourceVersions of everything the runbook could write, to prove a refusal wrote nothing. */
function writable(): string {
  return kubectl(state, ['get', 'configmaps,services,namespaces,deployments,daemonsets,serviceaccounts,roles,rolebindings,clusterroles,clusterrolebindings', '-A', '--no-headers', '-o', 'custom-columns=K:.kind,NS:.metadata.namespace,N:.metadata.name,RV:.metadata.resourceVersion']);
}

/** kube-proxy's ConfigMap as kubeadm left it: strictARP false, no last-applied annotation. */
function resetStrictArp(): void {
  const cm = JSON.parse(kubectl(state, ['get', 'configmap', 'kube-proxy', '-n', 'kube-system', '-o', 'json']));
  delete cm.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
  cm.data['config.conf'] = cm.data['config.conf'].replace('strictARP: true', 'strictARP: false');
  kubectl(state, ['replace', '-f', '-'], JSON.stringify(cm));
}

beforeAll(() => {
  state = up(NAME);
}, 60 * 60_000); // a cold machine builds Kubernetes first (about 25 minutes on 2 cores)

afterAll(() => {
  down(NAME);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('MetalLB runbook on the kwok sandbox', () => {
  it('refuses a cluster that is not a sandbox without consent, and writes nothing', async () => {
    const config = YAML.parse(fs.readFileSync(state.kubeconfig, 'utf8'));
    config.contexts[0].name = 'not-a-sandbox';
    config['current-context'] = 'not-a-sandbox';
    const other = path.join(tmp, 'other-kubeconfig');
    fs.writeFileSync(other, YAML.stringify(config));
    const before = writable();

    const noTty = cli('runbook', ['metallb', '--context', 'not-a-sandbox'], { KUBECONFIG: other, RUNBOOK_MIRROR: MIRROR });
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain(`API 서버: ${state.server}`);
    expect(noTty.stderr).toContain('strict-arp/apply: strictARP: true 로 변경');
    expect(noTty.stderr).toContain('--yes');

    const io = { ...memoryIo({ KUBECONFIG: other, PATH: process.env.PATH, RUNBOOK_MIRROR: MIRROR }), interactive: true, ask: async () => 'no' };
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

  it('passes end to end: strictARP true, pods Running, EXTERNAL-IPs .100 to .103', () => {
    const report = path.join(tmp, 'first.json');
    const junit = path.join(tmp, 'first.xml');
    const r = runbook(['--report', report, '--junit', junit]);
    expect(r.stderr.slice(-2000)).toContain('다음:');
    expect(r.code).toBe(0);
    const data = readReport(report);
    expect(data).toMatchObject({ status: 'passed', provider: 'kwok', kubernetes: 'v1.37.0', components: { MetalLB: 'v0.11.0' } });
    expect(data.simulation?.simulated.join(' ')).toContain('speaker');
    expect(data.steps.filter((s) => s.status === 'failed')).toEqual([]);
    expect(step(data, 'strict-arp/apply').notes).toContain('적용 뒤 strict-arp/check 를 다시 실행해 "strictARP: true" 를 확인했습니다.');
    expect(step(data, 'install/get-pods').actual).toMatch(/controller-\S+\s+1\/1\s+Running/);
    ['istio', 'minio', 'mlflow', 'grafana'].forEach((s, i) => expect(step(data, `${s}/get-after`).actual).toContain(`192.168.35.10${i}`));
    expect(data.steps.filter((s) => s.status === 'manual').map((s) => s.id)).toEqual(['istio/browser', 'minio/browser', 'mlflow/browser', 'grafana/browser']);
    expect(fs.readFileSync(junit, 'utf8')).toContain('<testcase classname="metallb.istio" name="istio/get-after');
    expect(fs.existsSync(path.join(tmp, 'first.logs', 'metallb-controller.log'))).toBe(true);
  });

  it('passes a second time on the same cluster (the page conditional skips the apply)', () => {
    const report = path.join(tmp, 'second.json');
    const r = runbook(['--report', report]);
    expect(r.code).toBe(0);
    const data = readReport(report);
    expect(step(data, 'strict-arp/apply')).toMatchObject({ status: 'skipped' });
    expect(step(data, 'strict-arp/apply').reason).toContain('strictARP: true');
    expect(step(data, 'config/apply').notes.join(' ')).toContain('configmap/config unchanged');
    expect(step(data, 'fixture/istio-system/istio-ingressgateway').notes[0]).toContain('다시 만들었습니다');
  });

  it('never shows the controller ServiceAccount token in console output, reports, JUnit or logs', () => {
    const pods = path.join(path.dirname(state.kubeconfig), 'kubelet', 'pods');
    const tokens = fs.readdirSync(pods, { recursive: true }).map(String).filter((f) => path.basename(f) === 'token')
      .map((f) => fs.readFileSync(path.join(pods, f), 'utf8').trim());
    expect(tokens.length).toBeGreaterThan(0);
    const artefacts = fs.readdirSync(tmp, { recursive: true }).map((f) => path.join(tmp, String(f))).filter((f) => fs.statSync(f).isFile());
    const texts = [...consoles, ...artefacts.map((f) => fs.readFileSync(f, 'utf8'))];
    for (const token of tokens) {
      expect(token.length).toBeGreaterThan(20);
      for (const text of texts) expect(text.includes(token)).toBe(false);
    }
  });

  it.each([
    ['a wrong EXTERNAL-IP', 'minio/get-after', ['--from', 'minio/get-before'],
      (s: string) => s.replace('192.168.35.101   9000:31371/TCP', '192.168.35.109   9000:31371/TCP'), 'minio-service 행의 EXTERNAL-IP: 기대 "192.168.35.109", 실제 "192.168.35.101"'],
    ['a wrong pod status', 'install/get-pods', ['--only', 'install/get-pods'],
      (s: string) => s.replace('speaker-fnf8l                 1/1     Running', 'speaker-fnf8l                 1/1     Pending '), '행의 STATUS: 기대 "Pending", 실제 "Running"'],
    ['a wrong strictARP line (on a cluster back at strictARP: false)', 'strict-arp/check', ['--only', 'strict-arp/check'],
      (s: string) => s.replace('```text step="strict-arp/check-output" of="strict-arp/check"\nstrictARP: false', '```text step="strict-arp/check-output" of="strict-arp/check"\nstrictARP: off'), 'stdout 에 페이지의 줄이 없습니다: "strictARP: off"'],
    ['one character changed in a command', 'grafana/get-before', ['--only', 'grafana/get-before'],
      (s: string) => s.replace('```bash step="grafana/get-before"\nkubectl get svc/seldon-core-analytics-grafana', '```bash step="grafana/get-before"\nkubectl get svc/seldon-core-analytics-grafama'), '종료 코드: 기대 0, 실제 1'],
  ])('%s on a copy of the page turns that step red, with file:line', (_name, id, args, mutate, problem) => {
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
  });

  it('a wrong address pool on the page leaves the documented IP unassigned: red', () => {
    const copy = pageCopy('pool.md', (s) => s.replace('      - 192.168.35.100-192.168.35.110  # IP 대역폭', '      - 192.168.36.100-192.168.36.110  # IP 대역폭'));
    const report = path.join(tmp, 'red-pool.json');
    const r = runbook(['--page', copy, '--report', report, '--from', 'config/file'], { RUNBOOK_WAIT_LIMIT: '4' });
    expect(r.code).toBe(1);
    expect(step(readReport(report), 'istio/get-after')).toMatchObject({ status: 'failed' });
    expect(step(readReport(report), 'istio/get-after').problems.join(' ')).toContain('기대 "192.168.35.100"');
    // Put the page's own pool back for the tests after this one.
    expect(runbook(['--from', 'config/file']).code).toBe(0);
  });
});
