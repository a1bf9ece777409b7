/**
 * The kind provider's browser steps without Docker: the runner host is the client host, so its
 * requests and Chromium run here. Stand-ins: a recording `kind` (`load image-archive`) and `docker`
 * (`network inspect`) on PATH, the real stand-in web server (go/pod-tools/standin-web) on 127.0.0.1
 * playing the documented address (the test's "page subnet" is 127.0.0.0/8), and a fake API that
 * records the backend Deployment. The shared browser step is also driven with a fake client.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAddress, type AddressClient, type BrowserKube } from '../scripts/cluster/browser-step.ts';
import { binDirOf, ensureBuilt } from '../scripts/cluster/build.ts';
import { hostClient, httpFromHost, inSubnet, kindClientHost } from '../scripts/cluster/kind/client.ts';
import { kindSimulationNotes, networkInspectArgs } from '../scripts/cluster/kind/cluster.ts';
import { kindLoadArgs, loadStandinImage } from '../scripts/cluster/kind/images.ts';
import { podsClient } from '../scripts/cluster/pods/browser-step.ts';
import { STANDIN_IMAGE } from '../scripts/cluster/pods/layout.ts';
import { sandboxProvider } from '../scripts/cluster/provider.ts';
import { sandboxDir, type SandboxState } from '../scripts/cluster/state.ts';
import { podToolsTarget } from '../scripts/cluster/targets.ts';
import { resolveKubernetes } from '../scripts/cluster/versions.ts';
import { memoryIo } from '../scripts/lib/io.ts';
import { Status } from '../scripts/lib/status.ts';

let root: string;
let bin: string;
let cache: string;
let tools: string;
const children: ChildProcess[] = [];

const lines = (file: string) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[])
    : [];
const kindCalls = () => lines(path.join(root, 'kind-calls'));
const dockerCalls = () => lines(path.join(root, 'docker-calls'));

/** The environment of one case: the stand-ins first on PATH, what `docker network inspect kind` answers, whether `kind load` fails. */
function envWith(opts: { subnets?: string; loadFails?: boolean } = {}): Record<string, string | undefined> {
  return {
    PATH: `${bin}:/usr/bin:/bin`,
    VDOCS_CACHE_DIR: cache,
    NO_COLOR: '1',
    HOME: root,
    ...(opts.subnets !== undefined ? { FAKE_SUBNETS: opts.subnets } : {}),
    ...(opts.loadFails ? { FAKE_LOAD_FAILS: '1' } : {}),
  };
}

function kindState(
  name: string,
  env: Record<string, string | undefined>,
  createdAt = '2026-07-01T00:00:00.000Z',
): SandboxState {
  fs.mkdirSync(sandboxDir(name, env), { recursive: true });
  return {
    name,
    provider: 'kind',
    kubernetes: 'v1.37.0',
    context: `kind-${name}`,
    kubeconfig: path.join(root, 'kubeconfig'),
    server: 'https://127.0.0.1:1',
    createdAt,
    processes: [],
    logs: {},
  };
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const service = (port: number, name = 'minio-service', namespace = 'kubeflow'): k8s.V1Service => ({
  metadata: { name, namespace },
  spec: {
    type: 'LoadBalancer',
    selector: { app: 'minio' },
    ports: [{ port, targetPort: port as never, protocol: 'TCP' }],
  },
});

/** An API that holds one Service and records the Deployments made for it; `ready` says whether a made Deployment reports a ready replica. */
function fakeKube(svc: k8s.V1Service, ready = true) {
  const deployments = new Map<string, k8s.V1Deployment>();
  const made: k8s.V1Deployment[] = [];
  const notFound = () => Object.assign(new Error('not found'), { code: 404 });
  const kube = {
    core: { readNamespacedService: async () => svc },
    apps: {
      readNamespacedDeployment: async ({ name, namespace }: { name: string; namespace: string }) => {
        const d = deployments.get(`${namespace}/${name}`);
        if (!d) throw notFound();
        return { ...d, status: { readyReplicas: ready ? 1 : 0 } };
      },
      createNamespacedDeployment: async ({ namespace, body }: { namespace: string; body: k8s.V1Deployment }) => {
        made.push(body);
        deployments.set(`${namespace}/${body.metadata!.name}`, body);
        return body;
      },
      replaceNamespacedDeployment: async ({
        name,
        namespace,
        body,
      }: {
        name: string;
        namespace: string;
        body: k8s.V1Deployment;
      }) => {
        made.push(body);
        deployments.set(`${namespace}/${name}`, body);
        return body;
      },
    },
  };
  return { kube: kube as unknown as BrowserKube, made };
}

/** Runs the real stand-in web server with the env of the Deployment the browser step made, as the node would. */
async function runBackend(deployment: k8s.V1Deployment): Promise<void> {
  const container = deployment.spec!.template.spec!.containers[0]!;
  const env: Record<string, string> = { PATH: '/usr/bin:/bin', POD_NAME: `${deployment.metadata!.name}-test` };
  for (const e of container.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  const child = spawn(path.join(tools, 'standin-web'), [], { env, stdio: 'ignore' });
  children.push(child);
  const port = Number(env['STANDIN_PORTS']);
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((r) =>
      net
        .connect(port, '127.0.0.1')
        .on('connect', function (this: net.Socket) {
          this.destroy();
          r(true);
        })
        .on('error', () => r(false)),
    );
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('standin-web did not listen');
}

/** An HTTP server that counts requests: the address must not be asked when a check fails first. */
async function countingServer(): Promise<{ port: number; hits: () => number; close: () => void }> {
  let hits = 0;
  const srv = http.createServer((_req, res) => {
    hits++;
    res.end('nothing');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, hits: () => hits, close: () => srv.close() };
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-kind-client-'));
  bin = path.join(root, 'bin');
  cache = path.join(root, 'cache');
  fs.mkdirSync(bin);
  // docker: records argv; `network inspect` prints $FAKE_SUBNETS, like --format '{{range .IPAM.Config}}{{.Subnet}} {{end}}'.
  fs.writeFileSync(
    path.join(bin, 'docker'),
    `#!${process.execPath}
const fs = require('fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(path.join(root, 'docker-calls'))}, JSON.stringify(args) + '\\n');
if (args[0] === 'network' && args[1] === 'inspect' && process.env.FAKE_SUBNETS) { console.log(process.env.FAKE_SUBNETS + ' '); process.exit(0); }
console.error('Error: No such network: ' + args[2]);
process.exit(1);
`,
    { mode: 0o755 },
  );
  // kind: the release the 1.37 image needs; `load image-archive TAR --name N` is recorded with whether TAR was there.
  fs.writeFileSync(
    path.join(bin, 'kind'),
    `#!${process.execPath}
const fs = require('fs');
const args = process.argv.slice(2);
if (args[0] === 'version') { console.log('kind v0.33.0 go1.26.8 linux/amd64'); process.exit(0); }
fs.appendFileSync(${JSON.stringify(path.join(root, 'kind-calls'))}, JSON.stringify(args) + '\\n');
if (process.env.FAKE_LOAD_FAILS) { console.error('ERROR: no nodes found for cluster "' + args[args.indexOf('--name') + 1] + '"'); process.exit(1); }
if (!fs.existsSync(args[2])) process.exit(2);
`,
    { mode: 0o755 },
  );
  // pod-tools (standin-web, oci-image) from the shared cache, built there on a cold cache; the test's own cache links to it.
  const io = { ...memoryIo(process.env as Record<string, string>), err: (t: string) => void process.stderr.write(t) };
  const real = await ensureBuilt(podToolsTarget(), io);
  fs.mkdirSync(path.dirname(binDirOf(podToolsTarget(), { VDOCS_CACHE_DIR: cache })), { recursive: true });
  fs.symlinkSync(real, binDirOf(podToolsTarget(), { VDOCS_CACHE_DIR: cache }));
  tools = real;
}, 600_000);

afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the shared browser step (fake API, fake client: no cluster)', () => {
  const answering = (body: string, status = 200) => {
    const asked: string[] = [];
    const client: AddressClient = {
      from: '어딘가에서',
      codes: { backendNotReady: 'X_NOT_READY', wrongAnswer: 'X_WRONG' },
      http: async (url) => (asked.push(`http ${url}`), { url, status, body }),
      screenshot: async (url, png) => (asked.push(`shot ${url} ${png}`), { title: 't', status: 200 }),
    };
    return { client, asked };
  };

  it("makes the backend, asks the address, checks it is that Service's stand-in page, then takes the screenshot", async () => {
    const { kube, made } = fakeKube(service(8080));
    const { client, asked } = answering('<h1>MinIO 대시보드 대역 (stand-in)</h1> <code>kubeflow/minio-service</code>');
    const r = await openAddress(
      kube,
      { url: 'http://192.168.35.101', namespace: 'kubeflow', name: 'minio-service' },
      '/tmp/x.png',
      client,
    );
    expect(
      made.map((d) => [d.metadata?.namespace, d.metadata?.name, d.spec?.template.spec?.containers[0]?.image]),
    ).toEqual([['kubeflow', 'minio-service-standin', STANDIN_IMAGE]]);
    expect(asked).toEqual(['http http://192.168.35.101', 'shot http://192.168.35.101 /tmp/x.png']);
    expect(r).toMatchObject({ status: 200, title: 't', screenshot: '/tmp/x.png', backend: { status: 'created' } });
    expect(r.proven).toBe(
      '어딘가에서 http://192.168.35.101 가 응답하고, 그 응답이 kubeflow/minio-service 서비스의 파드에서 왔습니다 (로드밸런서의 ARP 응답과 kube-proxy 를 거쳐).',
    );
    expect(r.simulated).toBe('화면은 실제 MinIO 대시보드가 아니라 대역 웹 서버입니다.');
  });

  it.each([
    ["another Service's stand-in", '<h1>MinIO 대시보드 대역 (stand-in)</h1> kubeflow/other', 200],
    ['a page that is no stand-in', 'kubeflow/minio-service', 200],
    ['an error status', '<h1>MinIO 대시보드 대역 (stand-in)</h1> kubeflow/minio-service', 503],
  ])("refuses %s with the client's code and takes no screenshot", async (_what, body, status) => {
    const { kube } = fakeKube(service(8080));
    const { client, asked } = answering(body, status);
    await expect(
      openAddress(
        kube,
        { url: 'http://192.168.35.101', namespace: 'kubeflow', name: 'minio-service' },
        '/tmp/x.png',
        client,
      ),
    ).rejects.toMatchObject({ code: 'X_WRONG' });
    expect(asked).toEqual(['http http://192.168.35.101']);
  });

  it("a backend that never gets ready fails with the client's code before any request", async () => {
    const { kube } = fakeKube(service(8080), false);
    const { client, asked } = answering('');
    await expect(
      openAddress(
        kube,
        { url: 'http://192.168.35.101', namespace: 'kubeflow', name: 'minio-service' },
        '/tmp/x.png',
        client,
        { timeoutMs: 700 },
      ),
    ).rejects.toMatchObject({ code: 'X_NOT_READY' });
    expect(asked).toEqual([]);
  });

  it('the clients say where the request came from: pods another host, kind the runner host itself', () => {
    expect(podsClient.from).toBe('같은 네트워크의 다른 호스트(192.168.35.50)에서');
    expect(podsClient.codes).toEqual({ backendNotReady: 'PODS_BACKEND_NOT_READY', wrongAnswer: 'PODS_WRONG_ANSWER' });
    const kind = hostClient({});
    expect(kind.from).toBe('kind Docker 네트워크(192.168.35.0/24)에 붙은 러너 호스트 자신(다른 호스트가 아님)에서');
    expect(kind.from).not.toContain('다른 호스트(');
    expect(kind.codes).toEqual({ backendNotReady: 'KIND_BACKEND_NOT_READY', wrongAnswer: 'KIND_WRONG_ANSWER' });
  });
});

describe('the stand-in image into the kind nodes (recording kind)', () => {
  it('packs go/pod-tools/standin-web as an OCI tarball and runs `kind load image-archive TAR --name CLUSTER`, once per cluster', async () => {
    const env = envWith();
    const state = kindState('kc-load', env);
    const io = memoryIo(env);
    const before = kindCalls().length;
    await loadStandinImage(state, io, new Status(io));
    const calls = kindCalls().slice(before);
    expect(calls).toHaveLength(1);
    const tar = calls[0]![2]!;
    expect(calls[0]).toEqual(kindLoadArgs(tar, 'kc-load'));
    expect(calls[0]).toEqual(['load', 'image-archive', tar, '--name', 'kc-load']);
    expect(tar.startsWith(path.join(cache, 'images'))).toBe(true);
    const index = JSON.parse(spawnSync('tar', ['-xOf', tar, 'index.json'], { encoding: 'utf8' }).stdout) as {
      manifests: Array<{ annotations: Record<string, string> }>;
    };
    expect(index.manifests[0]?.annotations['io.containerd.image.name']).toBe(STANDIN_IMAGE);
    // Again on the same cluster: nothing to load. A new cluster of the same name (another createdAt) loads again.
    await loadStandinImage(state, io, new Status(io));
    expect(kindCalls().length).toBe(before + 1);
    await loadStandinImage(kindState('kc-load', env, '2026-07-02T00:00:00.000Z'), io, new Status(io));
    expect(kindCalls().length).toBe(before + 2);
  });

  it("the kind Provider loads it in provideImages and pulls the runbook's own images (nothing else done for them)", async () => {
    const env = envWith();
    const provider = sandboxProvider(kindState('kc-provide', env), env);
    const io = memoryIo(env);
    const simulation = await provider.provideImages(
      [
        {
          title: 'x',
          image: 'quay.io/example/x:v1',
          module: 'example.com/x',
          version: 'v1',
          package: 'example.com/x/cmd',
          entrypoint: '/x',
        } as never,
      ],
      io,
      new Status(io),
    );
    expect(simulation).toEqual({ simulated: [], real: [] });
    expect(kindCalls().at(-1)?.slice(0, 2)).toEqual(['load', 'image-archive']);
    expect(kindCalls().at(-1)?.slice(3)).toEqual(['--name', 'kc-provide']);
    expect(provider.clientHost).toBeDefined();
    expect(sandboxProvider({ ...kindState('kc-kwok', env), provider: 'kwok' }, env).clientHost).toBeUndefined();
  });

  it("a failed load does not stop the run: the browser step fails with kind's own words, asking nothing", async () => {
    const env = envWith({ subnets: '127.0.0.0/8', loadFails: true });
    const state = kindState('kc-fail', env);
    const io = memoryIo(env);
    await loadStandinImage(state, io, new Status(io));
    expect(io.stderr()).toContain('대역 웹 서버 이미지를 kind 노드에 넣지 못했습니다');
    const server = await countingServer();
    const { kube, made } = fakeKube(service(server.port));
    try {
      const error = await kindClientHost(state, env, '127.0.0.0/8')
        .open(
          kube,
          { url: `http://127.0.0.1:${server.port}`, namespace: 'kubeflow', name: 'minio-service' },
          path.join(root, 'never.png'),
          {},
        )
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'KIND_NO_STANDIN_IMAGE' });
      expect((error as Error).message).toContain('no nodes found for cluster "kc-fail"');
      expect([server.hits(), made.length]).toEqual([0, 0]);
    } finally {
      server.close();
    }
  });
});

describe('the kind client host: HTTP and Chromium on the runner host, on the kind network only', () => {
  it('opens the address from this host: the real stand-in page answers, Chromium saves its screenshot, and the wording says where from', async () => {
    const env = envWith({ subnets: '127.0.0.0/8' });
    const state = kindState('kc-open', env);
    const io = memoryIo(env);
    await loadStandinImage(state, io, new Status(io));
    const port = await freePort();
    const { kube, made } = fakeKube(service(port));
    // The "node": once the step made the Deployment, its container runs (the real standin-web with that Deployment's env).
    const apps = kube.apps as unknown as {
      createNamespacedDeployment: (a: { namespace: string; body: k8s.V1Deployment }) => Promise<unknown>;
    };
    const create = apps.createNamespacedDeployment;
    apps.createNamespacedDeployment = async (a) => {
      const r = await create(a);
      await runBackend(a.body);
      return r;
    };
    const png = path.join(root, 'shots', 'minio.png');
    const dockerBefore = dockerCalls().length;
    const r = await kindClientHost(state, env, '127.0.0.0/8').open(
      kube,
      { url: `http://127.0.0.1:${port}`, namespace: 'kubeflow', name: 'minio-service' },
      png,
      {},
    );
    expect(dockerCalls().slice(dockerBefore)).toEqual([networkInspectArgs('kind')]);
    expect(made).toHaveLength(1);
    expect(r).toMatchObject({ status: 200, title: 'MinIO 대시보드 대역 (stand-in)', screenshot: png });
    expect(r.proven).toBe(
      `kind Docker 네트워크(127.0.0.0/8)에 붙은 러너 호스트 자신(다른 호스트가 아님)에서 http://127.0.0.1:${port} 가 응답하고, 그 응답이 kubeflow/minio-service 서비스의 파드에서 왔습니다 (로드밸런서의 ARP 응답과 kube-proxy 를 거쳐).`,
    );
    expect(fs.readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    expect(fs.statSync(png).size).toBeGreaterThan(5000);
  }, 120_000);

  it("refuses when the kind network is not on the page's subnet, before asking the address or making a backend", async () => {
    const env = envWith({ subnets: '172.18.0.0/16 fc00:f853:ccd:e793::/64' });
    const state = kindState('kc-net', env);
    const io = memoryIo(env);
    await loadStandinImage(state, io, new Status(io));
    const server = await countingServer();
    const { kube, made } = fakeKube(service(server.port));
    try {
      const error = await kindClientHost(state, env, '127.0.0.0/8')
        .open(
          kube,
          { url: `http://127.0.0.1:${server.port}`, namespace: 'kubeflow', name: 'minio-service' },
          path.join(root, 'never.png'),
          {},
        )
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'KIND_NETWORK_NOT_PAGE_SUBNET' });
      expect((error as Error).message).toContain('172.18.0.0/16');
      expect((error as Error & { hint: string }).hint).toContain('docker network create');
      expect([server.hits(), made.length]).toEqual([0, 0]);
      // No network at all (kind never created one): the same refusal, with docker's words.
      const none = await kindClientHost(state, envWith(), '127.0.0.0/8')
        .open(
          kube,
          { url: `http://127.0.0.1:${server.port}`, namespace: 'kubeflow', name: 'minio-service' },
          path.join(root, 'never.png'),
          {},
        )
        .catch((e: unknown) => e);
      expect(none).toMatchObject({ code: 'KIND_NETWORK_NOT_PAGE_SUBNET' });
      expect((none as Error).message).toContain('No such network: kind');
      expect(server.hits()).toBe(0);
    } finally {
      server.close();
    }
  });

  it("asks only addresses in the page's subnet, and says so when nothing answers there", async () => {
    const env = envWith({ subnets: '192.168.35.0/24' });
    const state = kindState('kc-url', env);
    await loadStandinImage(state, memoryIo(env), new Status(memoryIo(env)));
    const { kube } = fakeKube(service(80));
    await expect(
      kindClientHost(state, env).open(
        kube,
        { url: 'http://10.0.0.1', namespace: 'kubeflow', name: 'minio-service' },
        '/tmp/n.png',
        {},
      ),
    ).rejects.toMatchObject({ code: 'KIND_PROBE_BAD_URL' });
    await expect(
      kindClientHost(state, env).open(
        kube,
        { url: 'https://192.168.35.100', namespace: 'kubeflow', name: 'minio-service' },
        '/tmp/n.png',
        {},
      ),
    ).rejects.toMatchObject({ code: 'KIND_PROBE_BAD_URL' });
    const port = await freePort();
    const t0 = Date.now();
    await expect(
      httpFromHost(`http://127.0.0.1:${port}`, '127.0.0.0/8', { timeoutMs: 1200, show: (c) => `KUBECONFIG=k ${c}` }),
    ).rejects.toMatchObject({
      code: 'KIND_PROBE_NO_ANSWER',
      hint: expect.stringContaining('KUBECONFIG=k kubectl get svc -A'),
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1200);
  });

  it.each([
    ['192.168.35.100', '192.168.35.0/24', true],
    ['192.168.35.255', '192.168.35.0/24', true],
    ['192.168.36.1', '192.168.35.0/24', false],
    ['172.18.0.5', '192.168.35.0/24', false],
    ['127.0.0.1', '127.0.0.0/8', true],
    ['example.com', '192.168.35.0/24', false],
  ])('%s in %s: %s', (ip, cidr, inside) => {
    expect(inSubnet(ip, cidr)).toBe(inside);
  });
});

describe('the kind report says what is real and what is still a stand-in', () => {
  const release = resolveKubernetes('1.37');
  const pinned = { image: release.kindNodeImage, pulls: true, differences: [] };
  const simulationNotes = (network?: Parameters<typeof kindSimulationNotes>[3]) =>
    kindSimulationNotes(release, pinned, false, network);

  it("on the page's subnet: real L2, the speaker's ARP and HTTP from the runner host; the services, their pods and the screenshots are stand-ins", () => {
    const notes = simulationNotes({ network: 'kind', subnets: ['192.168.35.0/24', 'fc00::/64'] });
    expect(notes.simulated).toEqual([
      expect.stringContaining('대시보드의 서비스들은 런북이 페이지의 편집 블록에서 만든 대역'),
      expect.stringMatching(
        /대역 웹 서버\(vdocs\.local\/standin-web:v1.*kind load image-archive.*스크린샷도 이 대역 페이지/,
      ),
      expect.stringContaining('다른 호스트가 아니라 kind Docker 네트워크(192.168.35.0/24)에 붙은 러너 호스트 자신'),
    ]);
    expect(notes.real).toEqual([
      expect.stringContaining(
        `kind ${release.kindRelease} 가 만든 노드 컨테이너 안의 실제 Kubernetes v1.37.0 (kubeadm, kubelet, containerd, kube-proxy, CoreDNS; 노드 이미지 ${release.kindNodeImage})`,
      ),
      expect.stringContaining('모든 파드가 실제 컨테이너로 실행됩니다 (런북의 이미지는 레지스트리에서 내려받습니다)'),
      expect.stringMatching(
        /kind Docker 네트워크\(192\.168\.35\.0\/24\) 위의 실제 L2: 서비스 주소의 ARP 응답\(로드밸런서의 speaker 파드\).*클라이언트 호스트에서/,
      ),
      expect.stringContaining('클라이언트 호스트에서 문서의 주소마다 HTTP 요청과 headless Chromium 스크린샷'),
    ]);
  });

  it.each([
    ["kind's default network", { network: 'kind', subnets: ['172.18.0.0/16'] }, '172.18.0.0/16'],
    ['no network docker could show', { network: 'kind', error: 'Error: No such network: kind' }, 'No such network'],
    ['nothing known', undefined, '알 수 없음'],
  ])('elsewhere (%s) claims no L2 or HTTP, and says the browser steps fail', (_what, network, shown) => {
    const notes = simulationNotes(network);
    expect(notes.real.join('\n')).not.toMatch(/L2|HTTP|Chromium/);
    expect(notes.simulated.at(-1)).toContain(`페이지의 서브넷(192.168.35.0/24)이 아닙니다(`);
    expect(notes.simulated.at(-1)).toContain(shown);
    expect(notes.simulated.at(-1)).toContain('웹 브라우저 단계는 실패합니다');
  });
});
