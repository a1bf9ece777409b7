import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import type { Io } from '../../lib/io.ts';
import { cacheDir } from '../../lib/paths.ts';
import { run, runOrThrow, which } from '../../lib/process.ts';
import type { Status } from '../../lib/status.ts';
import { ensureBuilt, findGo, goEnv } from '../build.ts';
import { acquireLock } from '../lock.ts';
import { corednsTarget, etcdTarget, kubernetesNodeTarget, kubernetesTarget, podToolsTarget } from '../targets.ts';
import type { KubernetesRelease } from '../versions.ts';
import type { Engine } from './engine.ts';

/**
 * The kind node image, built here when the pinned `kindest/node` cannot be pulled (no registry
 * answers; the project's own Docker daemon has no route out at all). Everything comes from the Go
 * module proxy and Debian's packages, and nothing is pulled later:
 *
 * - the node: a Debian bookworm root file system (mmdebstrap: systemd, containerd, runc, CNI
 *   plugins, iptables, conntrack…), kubelet, kubeadm and kubectl of the release, and our own
 *   entrypoint, units and containerd configuration (./node/, written from what kind documents);
 * - in its containerd, every image `kubeadm config images list` names, under that exact name:
 *   kube-apiserver, kube-controller-manager, kube-scheduler and kube-proxy of the release, etcd and
 *   CoreDNS at the versions kubeadm names, and pause compiled from Kubernetes' own pause.c; plus
 *   the pod network kind installs from the image (/kind/manifests/default-cni.yaml: node-cni).
 *
 * The image's tag is a digest of all of it, so a change to any input is a new image.
 */

const NODE_FILES = path.join(path.dirname(new URL(import.meta.url).pathname), 'node');

/** Debian packages of the node's root file system (what kind's base image has that a node here needs). */
const NODE_PACKAGES = [
  'systemd',
  'systemd-sysv',
  'dbus',
  'iproute2',
  'iptables',
  'procps',
  'containerd',
  'runc',
  'containernetworking-plugins',
  'conntrack',
  'kmod',
  'mount',
  'util-linux',
  'ca-certificates',
  'ethtool',
  'socat',
];
/** kube-proxy's image: Debian's iptables (nft) and conntrack, unpacked without a package manager. */
const IPTABLES_PACKAGES = ['libc6', 'iptables', 'conntrack'];
const SUITE = 'bookworm';
/** What Debian's iptables package sets up as alternatives (the nft backend, the node's too). */
const IPTABLES_LINKS = [
  'iptables',
  'iptables-save',
  'iptables-restore',
  'ip6tables',
  'ip6tables-save',
  'ip6tables-restore',
].map((c) => `/usr/sbin/${c}=xtables-nft-multi`);

const sha = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex');

/** One image the node holds: its exact name and how it is packed (oci-image's arguments). */
interface NodeImagePart {
  name: string;
  files: Record<string, string>;
  entrypoint: string;
  baseLayer?: string;
  links?: string[];
}

/** `registry.k8s.io/etcd:3.7.0-0` → what builds it, or undefined for a name we cannot build. */
export function componentOf(
  name: string,
): { kind: 'kube'; command: string } | { kind: 'etcd' | 'coredns' | 'pause'; version: string } | undefined {
  const [repo, tag] = [name.slice(0, name.lastIndexOf(':')), name.slice(name.lastIndexOf(':') + 1)];
  const last = repo.split('/').pop()!;
  if (/^kube-(apiserver|controller-manager|scheduler|proxy)$/.test(last)) return { kind: 'kube', command: last };
  if (last === 'etcd')
    return /^(\d+\.\d+\.\d+)-\d+$/.test(tag) ? { kind: 'etcd', version: `v${tag.replace(/-\d+$/, '')}` } : undefined;
  if (last === 'coredns') return /^v\d+\.\d+\.\d+$/.test(tag) ? { kind: 'coredns', version: tag } : undefined;
  if (last === 'pause') return { kind: 'pause', version: tag };
  return undefined;
}

/** `kubeadm config images list` of the built kubeadm: the images kubeadm starts, by exact name; refused if one cannot be built here. */
async function kubeadmImages(kubeadm: string, release: KubernetesRelease, io: Io): Promise<string[]> {
  const res = await runOrThrow(
    'KIND_IMAGE_LIST_FAILED',
    kubeadm,
    ['config', 'images', 'list', '--kubernetes-version', release.kubernetes],
    { env: io.env, signal: io.signal, what: 'kubeadm config images list' },
  );
  const names = res.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !componentOf(n));
  if (unknown.length)
    throw new EnvironmentError(
      'KIND_IMAGE_UNKNOWN',
      `kubeadm 이 쓰는 이미지 중 이 프로젝트가 빌드할 줄 모르는 것이 있습니다: ${unknown.join(', ')}`,
      'scripts/cluster/kind/node-image.ts 의 componentOf 에 그 이미지를 빌드하는 방법을 더하세요.',
    );
  return names;
}

/** Kubernetes' own pause (build/pause/linux/pause.c of the release's module), compiled statically here. */
async function ensurePause(release: KubernetesRelease, tag: string, io: Io, status: Status): Promise<string> {
  const dir = path.join(cacheDir(io.env), 'bin', `pause-${tag}-${release.kubernetes}`);
  const bin = path.join(dir, 'pause');
  if (fs.existsSync(bin)) return bin;
  const gcc = which('gcc', io.env);
  if (!gcc)
    throw new EnvironmentError(
      'KIND_NO_GCC',
      'pause 이미지를 Kubernetes 의 pause.c 에서 빌드하려면 gcc 가 필요합니다.',
      'apt-get install --no-install-recommends gcc libc6-dev',
    );
  const go = findGo(io.env);
  const res = await runOrThrow(
    'KIND_PAUSE_FAILED',
    go,
    ['mod', 'download', '-json', `k8s.io/kubernetes@${release.kubernetes}`],
    {
      env: goEnv(io.env),
      cwd: cacheDir(io.env),
      signal: io.signal,
      what: `k8s.io/kubernetes@${release.kubernetes} 내려받기`,
    },
  );
  const source = path.join((JSON.parse(res.stdout) as { Dir: string }).Dir, 'build/pause/linux/pause.c');
  await status.step(`pause ${tag} 빌드 (Kubernetes ${release.kubernetes} 의 pause.c, gcc -static)`, async () => {
    fs.mkdirSync(`${dir}.tmp`, { recursive: true });
    await runOrThrow(
      'KIND_PAUSE_FAILED',
      gcc,
      ['-Os', '-Wall', '-Werror', '-static', `-DVERSION=v${tag}`, '-o', path.join(`${dir}.tmp`, 'pause'), source],
      {
        env: io.env,
        signal: io.signal,
        what: 'pause.c 컴파일',
        hint: 'glibc 의 정적 라이브러리가 필요합니다: apt-get install libc6-dev',
      },
    );
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(`${dir}.tmp`, dir);
  });
  return bin;
}

/** A root file system tarball from Debian's packages (mmdebstrap), cached by what went into it. */
async function ensureRootfs(
  name: string,
  variant: string,
  packages: string[],
  io: Io,
  status: Status,
): Promise<string> {
  const key = sha(SUITE, variant, ...packages).slice(0, 12);
  const tar = path.join(cacheDir(io.env), 'kind-node', `${name}-${SUITE}-${key}.tar`);
  if (fs.existsSync(tar)) return tar;
  const mmdebstrap = which('mmdebstrap', io.env);
  if (!mmdebstrap)
    throw new EnvironmentError(
      'KIND_NO_MMDEBSTRAP',
      'kind 노드 이미지를 이 머신에서 만들려면 mmdebstrap 이 필요합니다.',
      'apt-get install --no-install-recommends mmdebstrap',
    );
  fs.mkdirSync(path.dirname(tar), { recursive: true });
  // --format=tar: mmdebstrap otherwise takes the format from the file name, and `<name>.tar.tmp` would be a folder.
  await status.step(
    `Debian ${SUITE} 루트 파일 시스템 (${name}, mmdebstrap --variant=${variant}, Debian 패키지 저장소에서)`,
    async () => {
      await runOrThrow(
        'KIND_ROOTFS_FAILED',
        mmdebstrap,
        ['--quiet', '--format=tar', `--variant=${variant}`, `--include=${packages.join(',')}`, SUITE, `${tar}.tmp`],
        {
          env: io.env,
          signal: io.signal,
          what: `mmdebstrap ${name}`,
          hint: 'Debian 패키지 저장소(apt)에 닿는지 확인하세요.',
        },
      );
      fs.renameSync(`${tar}.tmp`, tar);
    },
  );
  return tar;
}

/** Packs one image with our oci-image tool into `<cache>/images/`, keyed by everything packed. */
async function packPart(part: NodeImagePart, ociImage: string, io: Io): Promise<string> {
  const stamp = (f: string) => {
    const st = fs.statSync(f);
    return `${f}:${st.size}:${st.mtimeMs}`;
  };
  const key = sha(
    part.name,
    part.entrypoint,
    ...Object.entries(part.files).map(([k, v]) => `${k}=${stamp(v)}`),
    part.baseLayer ? stamp(part.baseLayer) : '',
    ...(part.links ?? []),
    stamp(ociImage),
  ).slice(0, 16);
  const tar = path.join(cacheDir(io.env), 'images', `${part.name.replace(/[^A-Za-z0-9.-]+/g, '_')}-${key}.tar`);
  if (fs.existsSync(tar)) return tar;
  fs.mkdirSync(path.dirname(tar), { recursive: true });
  const args = [
    '--name',
    part.name,
    '--entrypoint',
    part.entrypoint,
    '--out',
    tar,
    ...Object.entries(part.files).flatMap(([k, v]) => ['--file', `${k}=${v}`]),
  ];
  if (part.baseLayer) args.push('--base-layer', part.baseLayer);
  for (const l of part.links ?? []) args.push('--link', l);
  await runOrThrow('KIND_IMAGE_FAILED', ociImage, args, { signal: io.signal, what: `${part.name} 이미지 만들기` });
  return tar;
}

/** The files our node adds to the Debian root file system, by path in the node (content, mode). */
function nodeFiles(
  release: KubernetesRelease,
  pauseImage: string,
  cniImage: string,
  bins: { kubelet: string; kubeadm: string; kubectl: string },
): Array<{ to: string; from?: string; text?: string; mode: number; link?: string }> {
  const read = (f: string) => fs.readFileSync(path.join(NODE_FILES, f), 'utf8');
  return [
    { to: '/usr/local/bin/entrypoint', text: read('entrypoint'), mode: 0o755 },
    { to: '/usr/bin/kubelet', from: bins.kubelet, mode: 0o755 },
    { to: '/usr/bin/kubeadm', from: bins.kubeadm, mode: 0o755 },
    { to: '/usr/bin/kubectl', from: bins.kubectl, mode: 0o755 },
    { to: '/etc/systemd/system/kubelet.service', text: read('kubelet.service'), mode: 0o644 },
    { to: '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf', text: read('10-kubeadm.conf'), mode: 0o644 },
    {
      to: '/etc/systemd/system/multi-user.target.wants/kubelet.service',
      link: '/etc/systemd/system/kubelet.service',
      mode: 0o777,
    },
    {
      to: '/etc/containerd/config.toml',
      text: read('containerd.toml').replace('@pause-image@', pauseImage),
      mode: 0o644,
    },
    { to: '/kind/version', text: `${release.kubernetes}\n`, mode: 0o644 },
    {
      to: '/kind/manifests/default-cni.yaml',
      text: read('default-cni.yaml').replace('@node-cni-image@', cniImage),
      mode: 0o644,
    },
  ];
}

interface NodeImage {
  /** The local image kind boots (`vdocs.local/kind-node:v1.37.0-<digest>`). */
  image: string;
  /** What differs from kind's published node image, in Korean, for every report. */
  differences: string[];
}

const hasImage = async (engine: Engine, image: string) =>
  (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { env: engine.env })).code === 0;

const docker = (engine: Engine, args: string[], io: Io, what: string) =>
  runOrThrow('KIND_NODE_IMAGE_FAILED', 'docker', args, {
    env: engine.env,
    signal: io.signal,
    what,
    hint: 'Docker 데몬의 로그를 보세요 (이 프로젝트의 데몬이면 .cache/docker/dockerd.log).',
  });

/** Each image kubeadm names, built from its source, plus the pod network's: how oci-image packs each. */
async function imageParts(
  release: KubernetesRelease,
  names: string[],
  bins: { kube: string; node: string; tools: string; toolsVersion: string },
  io: Io,
  status: Status,
): Promise<{ parts: NodeImagePart[]; pauseImage: string; cniImage: string }> {
  const iptables = await ensureRootfs('iptables', 'extract', IPTABLES_PACKAGES, io, status);
  const parts: NodeImagePart[] = [];
  let pauseImage = '';
  for (const name of names) {
    const c = componentOf(name)!;
    if (c.kind === 'kube') {
      const bin = path.join(c.command === 'kube-proxy' ? bins.node : bins.kube, c.command);
      parts.push({
        name,
        entrypoint: `/usr/local/bin/${c.command}`,
        files: { [`/usr/local/bin/${c.command}`]: bin },
        ...(c.command === 'kube-proxy' ? { baseLayer: iptables, links: IPTABLES_LINKS } : {}),
      });
    } else if (c.kind === 'etcd') {
      const bin = path.join(await ensureBuilt(etcdTarget(c.version), io, status), 'etcd');
      parts.push({ name, entrypoint: '/usr/local/bin/etcd', files: { '/usr/local/bin/etcd': bin } });
    } else if (c.kind === 'coredns') {
      const bin = path.join(await ensureBuilt(corednsTarget(c.version), io, status), 'coredns');
      parts.push({ name, entrypoint: '/coredns', files: { '/coredns': bin } });
    } else {
      parts.push({
        name,
        entrypoint: '/pause',
        files: { '/pause': await ensurePause(release, c.version, io, status) },
      });
      pauseImage = name;
    }
  }
  const cniImage = `vdocs.local/node-cni:${bins.toolsVersion}`;
  parts.push({ name: cniImage, entrypoint: '/node-cni', files: { '/node-cni': path.join(bins.tools, 'node-cni') } });
  return { parts, pauseImage, cniImage };
}

/** What goes into the node image: its built parts packed, the root file system, the files added to it, the binaries' folders. */
async function nodeImageInputs(release: KubernetesRelease, io: Io, status: Status) {
  const kube = await ensureBuilt(kubernetesTarget(release), io, status);
  const node = await ensureBuilt(kubernetesNodeTarget(release), io, status);
  const toolsTarget = podToolsTarget();
  const tools = await ensureBuilt(toolsTarget, io, status);
  const kubeadm = path.join(node, 'kubeadm');
  const names = await kubeadmImages(kubeadm, release, io);
  const { parts, pauseImage, cniImage } = await imageParts(
    release,
    names,
    { kube, node, tools, toolsVersion: toolsTarget.version },
    io,
    status,
  );
  const rootfs = await ensureRootfs('node', 'minbase', NODE_PACKAGES, io, status);
  const ociImage = path.join(tools, 'oci-image');
  const tars = await status.step(
    `노드가 품을 이미지 ${parts.length}개 만들기 (${parts.map((p) => p.name).join(', ')})`,
    () => Promise.all(parts.map((p) => packPart(p, ociImage, io))),
  );
  const files = nodeFiles(release, pauseImage, cniImage, {
    kubelet: path.join(node, 'kubelet'),
    kubeadm,
    kubectl: path.join(kube, 'kubectl'),
  });
  return { kube, node, names, parts, rootfs, tars, files };
}

/** The offline node image for `release` in `engine`, built unless an image of the same inputs is there. */
export async function ensureNodeImage(
  release: KubernetesRelease,
  engine: Engine,
  io: Io,
  status: Status,
): Promise<NodeImage> {
  const inputs = await nodeImageInputs(release, io, status);
  const { kube, node, names, rootfs, tars, files } = inputs;
  const key = sha(
    rootfs,
    ...tars,
    ...files.map((f) => `${f.to}:${f.mode}:${f.link ?? ''}:${f.text ?? ''}:${f.from ?? ''}`),
    kube,
    node,
  ).slice(0, 16);
  const image = `vdocs.local/kind-node:${release.kubernetes}-${key}`;
  const differences = [
    `kind 노드 이미지는 kindest/node 가 아니라 이 머신에서 만든 ${image} 입니다: Debian ${SUITE} (mmdebstrap) 위에 Go 모듈 프록시에서 빌드한 kubelet·kubeadm·kubectl ${release.kubernetes}, 이 프로젝트의 entrypoint·systemd 유닛·containerd 설정`,
    `노드가 품은 이미지도 내려받지 않고 같은 이름으로 이 머신에서 빌드했습니다: ${names.join(', ')}. CoreDNS 는 kubeadm 의 Corefile 이 쓰는 플러그인만 넣었고, 파드 네트워크는 kindnetd 대신 이 프로젝트의 node-cni(bridge CNI)입니다`,
  ];
  if (await hasImage(engine, image)) return { image, differences };

  const release_ = await acquireLock(path.join(cacheDir(io.env), 'kind-node', 'build.lock'), io.signal, (holder) =>
    status.info(`노드 이미지: 다른 프로세스(pid ${holder})가 만드는 중입니다. 기다립니다.`),
  );
  try {
    if (await hasImage(engine, image)) return { image, differences };
    await status.step(`kind 노드 이미지 만들기: ${image}`, () => buildNodeImage(image, inputs, engine, io));
  } finally {
    release_();
  }
  return { image, differences };
}

/** The node files and image tarballs laid out in `stage` (root/ is copied to the node, images/ imported into its containerd). */
function stageNodeImage(stage: string, files: ReturnType<typeof nodeFiles>, tars: string[]): void {
  fs.rmSync(stage, { recursive: true, force: true });
  for (const f of files) {
    const to = path.join(stage, 'root', f.to);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    if (f.link) fs.symlinkSync(f.link, to);
    else if (f.from) fs.copyFileSync(f.from, to);
    else fs.writeFileSync(to, f.text!);
    if (!f.link) fs.chmodSync(to, f.mode);
  }
  fs.mkdirSync(path.join(stage, 'images'), { recursive: true });
  tars.forEach((t, i) => fs.linkSync(t, path.join(stage, 'images', `${i}.tar`)));
}

/** `image` committed from a builder container of the base file system; the builder and the stage removed however it ends. */
async function buildNodeImage(
  image: string,
  { rootfs, files, tars, parts }: Awaited<ReturnType<typeof nodeImageInputs>>,
  engine: Engine,
  io: Io,
): Promise<void> {
  const base = `vdocs.local/kind-base:${path.basename(rootfs, '.tar')}`;
  if (!(await hasImage(engine, base))) await docker(engine, ['import', rootfs, base], io, `docker import ${rootfs}`);
  const stage = path.join(cacheDir(io.env), 'kind-node', `stage-${process.pid}`);
  const builder = `vdocs-node-build-${process.pid}`;
  try {
    stageNodeImage(stage, files, tars);
    // containerd alone, to import the images into its content store (unpacked later, on the node's /var).
    await docker(
      engine,
      ['run', '-d', '--name', builder, '--entrypoint', '/usr/bin/containerd', base],
      io,
      '이미지를 넣을 컨테이너 시작',
    );
    await docker(engine, ['cp', `${path.join(stage, 'root')}/.`, `${builder}:/`], io, '노드 파일 복사');
    await docker(engine, ['cp', path.join(stage, 'images'), `${builder}:/vdocs-images`], io, '이미지 복사');
    for (let i = 0; i < tars.length; i++) {
      await docker(
        engine,
        ['exec', builder, 'ctr', '--namespace=k8s.io', 'images', 'import', '--no-unpack', `/vdocs-images/${i}.tar`],
        io,
        `${parts[i]!.name} 을(를) 노드의 containerd 에 넣기`,
      );
    }
    await docker(engine, ['exec', builder, 'rm', '-rf', '/vdocs-images'], io, '이미지 파일 지우기');
    await docker(engine, ['stop', builder], io, 'containerd 멈추기');
    await docker(
      engine,
      [
        'commit',
        '--change',
        'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]',
        '--change',
        'ENV container=docker',
        builder,
        image,
      ],
      io,
      'docker commit',
    );
  } finally {
    await run('docker', ['rm', '-f', builder], { env: engine.env });
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
