/**
 * The kind provider on a user's Docker (a laptop, a GitHub runner: the pinned kindest/node, nodes
 * that pull) cannot run here: no registry answers. So this drives `up`/`down --provider kind`
 * against stand-ins on PATH: a `docker` whose `info` answers and whose `network inspect kind` shows
 * the page's subnet, a `kind` that records its arguments
 * and writes a kubeconfig, and a tiny HTTP server playing the API server (/readyz, /version).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../scripts/lib/io.ts';
import { binDirOf, ensureBuilt } from '../scripts/cluster/build.ts';
import { kubernetesTarget } from '../scripts/cluster/targets.ts';
import {
  kindCreateArgs,
  kindDeleteArgs,
  kindSimulationNotes,
  networkInspectArgs,
} from '../scripts/cluster/kind/cluster.ts';
import { clusterMain } from '../scripts/cluster/main.ts';
import { sandboxPaths } from '../scripts/cluster/sandbox.ts';
import { readSandbox } from '../scripts/cluster/state.ts';
import { resolveKubernetes } from '../scripts/cluster/versions.ts';

let root: string;
let server: http.Server;
let port: number;
let env: Record<string, string | undefined>;
let versionFails = false;

const io = (): Io & { stdout: () => string; stderr: () => string } => {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    env,
    cwd: process.cwd(),
    interactive: false,
    signal: new AbortController().signal,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
};
const calls = () =>
  fs.existsSync(path.join(root, 'kind-calls'))
    ? fs
        .readFileSync(path.join(root, 'kind-calls'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string[])
    : [];

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-kind-'));
  server = http.createServer((req, res) => {
    if (req.url?.startsWith('/readyz')) return void res.end('ok');
    if (req.url?.startsWith('/version') && !versionFails) {
      res.setHeader('content-type', 'application/json');
      return void res.end(JSON.stringify({ major: '1', minor: '37', gitVersion: 'v1.37.0', platform: 'linux/amd64' }));
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  // docker: `info` answers (a cgroup v2 engine); the pinned node image is there; `network inspect kind` shows the
  // subnet the nightly creates the network on (records what it was asked besides `info`).
  fs.writeFileSync(
    path.join(bin, 'docker'),
    [
      '#!/bin/sh',
      '[ "$1 $3" = "info {{.CgroupVersion}}" ] && echo 2 && exit 0',
      '[ "$1" = info ] && echo 28.2.2 && exit 0',
      `echo "$*" >> ${JSON.stringify(path.join(root, 'docker-calls'))}`,
      '[ "$1 $2" = "image inspect" ] && echo sha256:0 && exit 0',
      `[ "$1 $2 $3" = "network inspect kind" ] && echo '192.168.35.0/24 ' && exit 0`,
      'exit 1',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  // kind: records argv as JSON, writes the kubeconfig it was given (like kind export kubeconfig).
  fs.writeFileSync(
    path.join(bin, 'kind'),
    `#!${process.execPath}
const fs = require('fs');
const args = process.argv.slice(2);
if (args[0] === 'version') { console.log('kind v0.33.0 go1.26.8 linux/amd64'); process.exit(0); }
fs.appendFileSync(${JSON.stringify(path.join(root, 'kind-calls'))}, JSON.stringify(args) + '\\n');
const kc = args[args.indexOf('--kubeconfig') + 1];
const name = args[args.indexOf('--name') + 1];
if (args[0] === 'create') fs.writeFileSync(kc, [
  'apiVersion: v1', 'kind: Config', 'current-context: kind-' + name,
  'clusters:', '- name: kind-' + name, '  cluster:', '    server: http://127.0.0.1:${port}', '    insecure-skip-tls-verify: true',
  'contexts:', '- name: kind-' + name, '  context:', '    cluster: kind-' + name, '    user: kind-' + name,
  'users:', '- name: kind-' + name, '  user:', '    token: fake', ''].join('\\n'));
`,
    { mode: 0o755 },
  );
  // kubectl for the version: reuse the real build through a temp cache (built here on a cold cache).
  const release = resolveKubernetes('1.37');
  const cache = path.join(root, 'cache');
  fs.mkdirSync(path.join(cache, 'bin'), { recursive: true });
  // The full build (shared with the kwok tests through the build lock, so a cold cache builds it once).
  const full = kubernetesTarget(release);
  const real = await ensureBuilt(full, { ...io(), env: process.env, err: (t: string) => void process.stderr.write(t) });
  fs.symlinkSync(real, binDirOf(full, { VDOCS_CACHE_DIR: cache }));
  env = { PATH: `${bin}:/usr/bin:/bin`, HOME: path.join(root, 'home'), VDOCS_CACHE_DIR: cache, NO_COLOR: '1' };
  fs.mkdirSync(path.join(root, 'home', '.kube'), { recursive: true });
  fs.writeFileSync(path.join(root, 'home', '.kube', 'config'), 'untouched\n');
}, 60 * 60_000);

afterAll(() => {
  server?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const release = resolveKubernetes('1.37');
const pinned = { image: release.kindNodeImage, pulls: true, differences: [] };
const createArgs = (name: string, retain: boolean) => {
  const p = sandboxPaths(name, env);
  return kindCreateArgs(name, release.kindNodeImage, p.kubeconfig, path.join(p.dir, 'kind.yaml'), retain);
};

describe("kind provider on a user's Docker (stand-ins for docker and kind; the real one runs in e2e-kind.test.ts)", () => {
  it('is the default when a container engine answers, and creates with the pinned image into the project kubeconfig', async () => {
    const o = io();
    expect(await clusterMain(['up', '--name', 'k1'], o)).toBe(0);
    expect(o.stderr()).toContain('프로바이더: kind (컨테이너 엔진이 응답함)');
    const p = sandboxPaths('k1', env);
    expect(calls()).toEqual([createArgs('k1', false)]);
    // The user's engine: no daemon of ours, no forwarder, nothing for this cgroup v2 engine; only
    // kube-proxy's 0.1 s minimum sync (a new EXTERNAL-IP answers without kubeadm's 1 s wait).
    expect(fs.readFileSync(path.join(p.dir, 'kind.yaml'), 'utf8')).toBe(
      'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nkubeadmConfigPatches:\n  - |\n    kind: KubeProxyConfiguration\n    iptables:\n      minSyncPeriod: 100ms\n',
    );
    const state = readSandbox('k1', env)!;
    expect(state).toMatchObject({
      provider: 'kind',
      kubernetes: 'v1.37.0',
      context: 'kind-k1',
      kubeconfig: p.kubeconfig,
      server: `http://127.0.0.1:${port}`,
      processes: [],
      pulls: true,
    });
    expect(state.docker).toBeUndefined();
    expect(fs.existsSync(path.join(state.binDir!, 'kubectl'))).toBe(true);
    // The pinned image was there, so nothing was pulled or built; the report's notes follow the network
    // kind's nodes are on: the page's subnet, so real L2 and HTTP from the runner host.
    expect(fs.readFileSync(path.join(root, 'docker-calls'), 'utf8')).toBe(
      `image inspect --format {{.Id}} ${release.kindNodeImage}\n${networkInspectArgs('kind').join(' ')}\n`,
    );
    expect(state.simulation).toEqual(
      kindSimulationNotes(release, pinned, false, { network: 'kind', subnets: ['192.168.35.0/24'] }),
    );
    expect(state.simulation?.real.join('\n')).toContain('kind Docker 네트워크(192.168.35.0/24) 위의 실제 L2');
    expect(o.stdout()).toBe(`context: kind-k1\nkubeconfig: ${p.kubeconfig}\n`);
    expect(fs.readFileSync(path.join(env.HOME!, '.kube', 'config'), 'utf8')).toBe('untouched\n');
  });

  it('down deletes the cluster from the same kubeconfig and removes the sandbox', async () => {
    const p = sandboxPaths('k1', env);
    expect(await clusterMain(['down', '--name', 'k1'], io())).toBe(0);
    expect(calls().at(-1)).toEqual(kindDeleteArgs('k1', p.kubeconfig));
    expect(fs.existsSync(p.dir)).toBe(false);
    expect(fs.readFileSync(path.join(env.HOME!, '.kube', 'config'), 'utf8')).toBe('untouched\n');
  });

  it('passes --retain through (kind then keeps a failed cluster for debugging)', async () => {
    expect(await clusterMain(['up', '--provider', 'kind', '--name', 'k2', '--retain'], io())).toBe(0);
    expect(calls().at(-1)).toEqual(createArgs('k2', true));
    expect(await clusterMain(['down', '--name', 'k2'], io())).toBe(0);
  });

  it('a failure after kind created the cluster deletes it (no --retain)', async () => {
    versionFails = true;
    try {
      const error = await clusterMain(['up', '--provider', 'kind', '--name', 'k3'], io()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      const p = sandboxPaths('k3', env);
      expect(calls().slice(-2)).toEqual([createArgs('k3', false), kindDeleteArgs('k3', p.kubeconfig)]);
      expect(fs.existsSync(p.dir)).toBe(false);
    } finally {
      versionFails = false;
    }
  });
});
