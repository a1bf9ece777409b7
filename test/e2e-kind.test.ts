/**
 * The kind provider for real, as a Docker user's machine and the nightly take it: `npm run verify --
 * --provider kind` runs both MetalLB pages, each on its own `kind create cluster` on the project's
 * own Docker daemon (its own network namespace) with the node image built here (no registry
 * answers) — the speaker answering ARP on the kind network and the four dashboard addresses
 * answering HTTP and Chromium from the bridge side — and writes their reports.
 * Around it: no packet for 192.168.35.0/24 on the host's interfaces, no machine-wide setting
 * changed, and after `down` no container, network, namespace, mount, cgroup, daemon or file in /run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ENGINE_CLAIM, ENGINE_NETNS, enginePaths, ownEngineEnv } from '../scripts/cluster/kind/engine.ts';
import { netnsFile, readSysctls } from '../scripts/cluster/pods/namespaces.ts';
import { readSandbox, type SandboxState } from '../scripts/cluster/state.ts';
import { readReport, type RunReport } from '../scripts/model/report.ts';
import { machineHooks, providerDescribe } from './helpers/machine.ts';
import { pageCopy } from './helpers/page-copy.ts';
import { cli, down, kubectl, processesNaming, testMirror } from './helpers/sandbox.ts';
import { verifySandboxName } from '../scripts/verify/cli.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-kind-'));
const REPORTS = path.join(tmp, 'reports');
/** verify's sandbox of the last page, kept (`--keep`) for the checks that need a running cluster. */
const KEPT = verifySandboxName('metallb-v0-16', '1.37');
const hooks = machineHooks();
const capture = path.join(tmp, 'host.pcap');
let tcpdump: ChildProcess;
let before: ReturnType<typeof hostSnapshot>;
let state: SandboxState;

/** What must read the same before `up` and after `down`: the machine's own settings, network and /run. */
function hostSnapshot() {
  const out = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout;
  return {
    sysctls: readSysctls(),
    links: out('ip', ['-o', 'link'])
      .split('\n')
      .map((l) => l.split(':')[1]?.trim())
      .filter(Boolean),
    addresses: out('ip', ['-o', '-4', 'addr'])
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/\s+/).slice(1, 4).join(' ')),
    routes: out('ip', ['route']),
    iptables: out('iptables-save', [])
      .split('\n')
      .filter((l) => /^[-:]/.test(l)),
    run: fs.readdirSync('/run').sort(),
    mounts: fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter(Boolean)
      .sort(),
    cgroups: spawnSync('find', ['/sys/fs/cgroup', '-maxdepth', '4', '-type', 'd', '-name', 'vdocs-docker'], {
      encoding: 'utf8',
    }).stdout,
    etcDocker: fs.existsSync('/etc/docker') ? fs.readdirSync('/etc/docker').sort() : [],
  };
}

/** Live (not zombie) Docker, containerd or shim processes: after `down` there must be none. */
function daemonsRunning(): string[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .flatMap((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        return /^(dockerd|containerd|containerd-shim.*)$/.test(comm) && state !== 'Z' ? [`${comm}(${pid})`] : [];
      } catch {
        return [];
      }
    });
}

const step = (report: RunReport, id: string) => report.steps.find((s) => s.id === id)!;

providerDescribe('kind', 'e2e-kind')("kind on the project's own Docker daemon, offline", () => {
  beforeAll(async () => {
    await hooks.before();
    before = hostSnapshot();
    tcpdump = spawn('tcpdump', ['-i', 'any', '-n', '-U', '-w', capture, 'net', '192.168.35.0/24'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1000));
  }, 60 * 60_000);

  afterAll(() => {
    down(KEPT);
    tcpdump?.kill('SIGINT');
    fs.rmSync(tmp, { recursive: true, force: true });
    hooks.after();
  }, 180_000);

  it(
    'npm run verify -- --provider kind writes passing reports for both MetalLB pages: strictARP, Running pods, EXTERNAL-IPs .100 to .103 answering HTTP and Chromium, the webhook',
    () => {
      const r = cli('verify', ['--provider', 'kind', '--kubernetes', '1.37', '--reports', REPORTS, '--keep'], {
        RUNBOOK_MIRROR: testMirror(),
      });
      expect(r.code, r.stderr.slice(-4000)).toBe(0);
      expect(r.stdout).toMatch(/✓ metallb {2}Kubernetes 1\.37 {2}passed/);
      expect(r.stdout).toMatch(/✓ metallb-v0-16 {2}Kubernetes 1\.37 {2}passed/);
      const v011 = readReport(path.join(REPORTS, 'metallb', 'kubernetes-1.37.json'));
      const v016 = readReport(path.join(REPORTS, 'metallb-v0-16', 'kubernetes-1.37.json'));
      for (const report of [v011, v016]) {
        expect(report).toMatchObject({ status: 'passed', provider: 'kind' });
        for (const [id, url] of [
          ['istio/browser', 'http://192.168.35.100'],
          ['minio/browser', 'http://192.168.35.101:9000'],
          ['mlflow/browser', 'http://192.168.35.102:5000'],
          ['grafana/browser', 'http://192.168.35.103:80'],
        ] as const) {
          expect(step(report, id).browser).toMatchObject({ url, status: 200 });
          const png = path.resolve(
            path.dirname(path.join(REPORTS, report.runbook, 'x')),
            step(report, id).browser!.screenshot,
          );
          expect(fs.readFileSync(png).subarray(1, 4).toString(), png).toBe('PNG');
        }
        expect(step(report, 'istio/browser').browser?.proven).toContain(`네트워크 네임스페이스(${ENGINE_NETNS}`);
        expect(report.simulation?.simulated.join('\n')).toContain('kindest/node 가 아니라 이 머신에서 만든');
      }
      expect(v011.simulation?.simulated.join('\n')).toContain(
        '내려받지 않고 같은 태그의 소스(go.universe.tf/metallb v0.11.0)',
      );
      expect(step(v016, 'webhook/apply').actual).toContain(
        'admission webhook "ipaddresspoolvalidationwebhook.metallb.io" denied the request',
      );
      state = readSandbox(KEPT)!;
      expect(state).toBeDefined();
    },
    20 * 60_000,
  );

  it("is a real kind cluster: a Ready node, kubeadm's control plane and kube-proxy as pods, every image preloaded under kubeadm's names", () => {
    expect(state).toMatchObject({
      provider: 'kind',
      kubernetes: 'v1.37.0',
      context: `kind-${KEPT}`,
      pulls: false,
      docker: { netns: ENGINE_NETNS },
    });
    expect(state.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(
      kubectl(state, [
        'get',
        'nodes',
        '-o',
        'jsonpath={.items[0].metadata.name} {.items[0].status.conditions[?(@.type=="Ready")].status} {.items[0].status.addresses[0].address}',
      ]),
    ).toBe(`${KEPT}-control-plane True 192.168.35.2`);
    const pods = kubectl(state, [
      'get',
      'pods',
      '-n',
      'kube-system',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name} {.status.phase}{"\\n"}{end}',
    ]);
    for (const name of [
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'kube-proxy',
      'coredns',
      'node-cni',
    ])
      expect(pods).toMatch(new RegExp(`^${name}-\\S+ Running$`, 'm'));
    // Nothing was pulled: the node's containerd holds the images by the names kubeadm printed.
    const images = spawnSync('docker', ['exec', `${KEPT}-control-plane`, 'ctr', '-n', 'k8s.io', 'images', 'ls', '-q'], {
      encoding: 'utf8',
      env: ownEngineEnv(process.env),
    }).stdout;
    for (const image of [
      'registry.k8s.io/kube-apiserver:v1.37.0',
      'registry.k8s.io/etcd:3.7.0-0',
      'registry.k8s.io/coredns/coredns:v1.14.6',
      'registry.k8s.io/pause:3.10.2',
    ])
      expect(images).toContain(image);
    // The strict-arp steps read kubeadm's own ConfigMap, which kube-proxy in the node was started from.
    expect(
      kubectl(state, ['get', 'configmap', 'kube-proxy', '-n', 'kube-system', '-o', 'jsonpath={.data.config\\.conf}']),
    ).toMatch(/strictARP: true/);
  });

  it("the speaker answered ARP: the bridge side learned .100 at the node's MAC (the address is on no interface)", () => {
    const mac = spawnSync(
      'docker',
      ['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.MacAddress}}{{end}}', `${KEPT}-control-plane`],
      { encoding: 'utf8', env: ownEngineEnv(process.env) },
    ).stdout.trim();
    expect(mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(
      spawnSync('nsenter', [`--net=${netnsFile(ENGINE_NETNS)}`, 'ip', 'neigh', 'show', '192.168.35.100'], {
        encoding: 'utf8',
      }).stdout,
    ).toContain(`lladdr ${mac}`);
  });

  it(
    'a page copy documenting another EXTERNAL-IP turns exactly that step red on the real load balancer',
    () => {
      const copy = pageCopy('src/content/docs/appendix/metallb-v0-16.md', tmp, 'wrong-ip.md', (s) =>
        s.replace(/(istio-ingressgateway\s+LoadBalancer\s+\S+\s+)192\.168\.35\.100/, '$1192.168.35.107'),
      );
      const file = path.join(tmp, 'wrong-ip.json');
      const r = cli(
        'runbook',
        ['metallb-v0-16', '--sandbox', KEPT, '--page', copy, '--report', file, '--only', 'istio/get-after'],
        { RUNBOOK_MIRROR: testMirror(), RUNBOOK_WAIT_LIMIT: '3' },
      );
      expect(r.code).toBe(1);
      const report = readReport(file);
      expect(report.steps.filter((s) => s.status === 'failed').map((s) => s.id)).toEqual(['istio/get-after']);
      expect(step(report, 'istio/get-after').problems.join('\n')).toContain(
        '기대 "192.168.35.107", 실제 "192.168.35.100"',
      );
    },
    5 * 60_000,
  );

  it('refuses a pods sandbox while kind holds the machine, saying which', () => {
    const r = cli('cluster', ['up', '--provider', 'pods', '--name', 'e2e-kind-pods']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[PODS_MACHINE_BUSY]');
    expect(r.stderr).toContain('이 프로젝트의 Docker 데몬');
    expect(fs.existsSync(path.join('.cache/sandbox', 'e2e-kind-pods'))).toBe(false);
  });

  it("keeps every machine-wide setting while up: sysctls, the host's links, addresses, routes and iptables", () => {
    const now = hostSnapshot();
    expect(now.sysctls).toEqual(before.sysctls);
    expect(now.links).toEqual(before.links);
    expect(now.addresses).toEqual(before.addresses);
    expect(now.routes).toEqual(before.routes);
    expect(now.iptables).toEqual(before.iptables);
    expect(now.etcDocker).toEqual(before.etcDocker);
  });

  it("down leaves nothing: no container, network, daemon, namespace, mount, cgroup or /run file; no packet crossed the host's interfaces", async () => {
    down(KEPT);
    const engine = enginePaths(process.env);
    expect(processesNaming(engine.dir)).toEqual([]);
    expect(daemonsRunning()).toEqual([]);
    expect(fs.existsSync(netnsFile(ENGINE_NETNS))).toBe(false);
    expect(fs.existsSync(ENGINE_CLAIM)).toBe(false);
    expect(fs.existsSync(engine.socket)).toBe(false);
    expect(hostSnapshot()).toEqual(before);
    await new Promise((r) => setTimeout(r, 500));
    expect(tcpdump.exitCode, 'tcpdump ran for the whole test').toBeNull();
    tcpdump.kill('SIGINT');
    await new Promise((r) => tcpdump.once('exit', r));
    const packets = spawnSync('tcpdump', ['-n', '-r', capture], { encoding: 'utf8' });
    expect(packets.status, packets.stderr).toBe(0);
    expect(packets.stdout.split('\n').filter(Boolean)).toEqual([]);
  }, 180_000);
});
