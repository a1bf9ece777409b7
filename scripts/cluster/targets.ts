import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../lib/paths.ts';
import { ensureBuilt, type BuildTarget } from './build.ts';
import type { Io } from '../lib/io.ts';
import type { Status } from '../lib/status.ts';
import { kubernetesWrapper, moduleWrapper, plainWrapper } from './gomod.ts';
import type { ImageBuild } from '../model/runbook.ts';
import { requireVersion } from '../model/version.ts';
import { COMPONENTS, stagingVersion, type KubernetesRelease } from './versions.ts';

/**
 * What the sandbox builds from the Go module proxy: one BuildTarget per cached bin folder.
 */

/** -X stamps so `--version` reports the real version (kwokctl reads it to pick flags). */
export function kubernetesLdflags(kubernetes: string): string[] {
  const { major, minor } = requireVersion(kubernetes);
  const flags = ['-s', '-w'];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    flags.push(
      `-X ${pkg}.gitVersion=${kubernetes}`,
      `-X ${pkg}.gitMajor=${major}`,
      `-X ${pkg}.gitMinor=${minor}`,
      `-X ${pkg}.gitTreeState=clean`,
    );
  }
  return flags;
}

const KUBE_COMMANDS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'];

/** Control plane + kubectl + our kube-proxy-config helper, one version, one go build. */
export function kubernetesTarget(release: KubernetesRelease): BuildTarget {
  return {
    component: 'kubernetes',
    version: release.kubernetes,
    binaries: [...KUBE_COMMANDS, 'kube-proxy-config'],
    packages: [...KUBE_COMMANDS.map((c) => `k8s.io/kubernetes/cmd/${c}`), './kube-proxy-config'],
    goMod: async (fetch) =>
      kubernetesWrapper(
        await fetch('k8s.io/kubernetes', release.kubernetes),
        release.kubernetes,
        stagingVersion(release.kubernetes),
      ),
    goModInputs: {
      module: 'k8s.io/kubernetes',
      version: release.kubernetes,
      staging: stagingVersion(release.kubernetes),
    },
    files: {
      'kube-proxy-config/main.go': fs.readFileSync(path.join(projectRoot, 'go/kube-proxy-config/main.go'), 'utf8'),
    },
    ldflags: kubernetesLdflags(release.kubernetes),
    ...(release.goToolchain ? { toolchain: release.goToolchain } : {}),
  };
}

const NODE_COMMANDS = ['kubelet', 'kube-proxy', 'kubeadm'];

/** kubelet, kube-proxy and kubeadm (pods provider, kind's offline node image): the same wrapper module and stamps as the control plane. */
export function kubernetesNodeTarget(release: KubernetesRelease): BuildTarget {
  const k = kubernetesTarget(release);
  return {
    ...k,
    component: 'kubernetes-node',
    binaries: NODE_COMMANDS,
    packages: NODE_COMMANDS.map((c) => `k8s.io/kubernetes/cmd/${c}`),
    files: {},
  };
}

/** kubectl alone (kind provider: the control plane runs in the node image). */
export function kubectlTarget(release: KubernetesRelease): BuildTarget {
  const k = kubernetesTarget(release);
  return { ...k, component: 'kubectl', binaries: ['kubectl'], packages: ['k8s.io/kubernetes/cmd/kubectl'], files: {} };
}

export function etcdTarget(version: string = COMPONENTS.etcd): BuildTarget {
  const module = 'go.etcd.io/etcd/server/v3';
  return {
    component: 'etcd',
    version,
    binaries: ['etcd'],
    packages: [module],
    goMod: async (fetch) =>
      plainWrapper(`etcd-${version}`, (await fetch(module, version)).go, [{ path: module, version }]),
    goModInputs: { module, version },
  };
}

/**
 * CoreDNS at the version kubeadm deploys, built with only the plugins of kubeadm's Corefile
 * (go/coredns/main.go) for the offline kind node image.
 */
export function corednsTarget(version: string): BuildTarget {
  const module = 'github.com/coredns/coredns';
  return {
    component: 'coredns',
    version,
    binaries: ['coredns'],
    packages: ['./coredns'],
    goMod: async (fetch) =>
      plainWrapper(`coredns-${version}`, (await fetch(module, version)).go, [{ path: module, version }]),
    goModInputs: { module, version },
    files: { 'coredns/main.go': fs.readFileSync(path.join(projectRoot, 'go/coredns/main.go'), 'utf8') },
  };
}

export function kwokTarget(version = COMPONENTS.kwok): BuildTarget {
  const module = 'sigs.k8s.io/kwok';
  return {
    component: 'kwok',
    version,
    binaries: ['kwok', 'kwokctl'],
    packages: [`${module}/cmd/kwok`, `${module}/cmd/kwokctl`],
    goMod: async (fetch) =>
      plainWrapper(`kwok-${version}`, (await fetch(module, version)).go, [{ path: module, version }]),
    goModInputs: { module, version },
  };
}

/**
 * The command of an image a runbook declares (see ImageBuild): a wrapper module requiring
 * `module@version` and one `go build` of its package, cached in `<cache>/bin/<module>-<binary>-<version>-<inputs>/`
 * (`metallb-controller-v0.11.0-…`: the digest covers the bumps). One folder per command, so pages needing different commands of one
 * module never rebuild each other's; Go's build cache shares the compiled dependencies.
 */
export function imageTarget(image: ImageBuild): BuildTarget {
  const { module, version } = image;
  const binary = binaryName(image.package);
  return {
    component: `${module
      .split('/')
      .pop()!
      .replace(/[^A-Za-z0-9.-]+/g, '_')}-${binary}`,
    version,
    binaries: [binary],
    packages: [image.package],
    goMod: async (fetch) => moduleWrapper(await fetch(module, version), module, version, image.bumps ?? {}),
    goModInputs: { module, version, bumps: image.bumps ?? {} },
  };
}

/** The built command of a runbook's image (cached): its path. */
export async function ensureImageBinary(image: ImageBuild, io: Io, status?: Status): Promise<string> {
  const target = imageTarget(image);
  return path.join(await ensureBuilt(target, io, status), target.binaries[0]!);
}

/** `go build` names a command after its package's last element. */
const binaryName = (pkg: string) => pkg.split('/').pop()!;

const POD_TOOLS = ['pause', 'standin-web', 'http-get', 'oci-image', 'pki', 'netns-forward', 'node-cni'];

/** Our own small Go commands for the pods provider (go/pod-tools/): no dependencies beyond the standard library. */
export function podToolsTarget(): BuildTarget {
  const dir = path.join(projectRoot, 'go/pod-tools');
  const files: Record<string, string> = {};
  for (const tool of POD_TOOLS) files[`${tool}/main.go`] = fs.readFileSync(path.join(dir, tool, 'main.go'), 'utf8');
  const digest = createHash('sha256').update(JSON.stringify(files)).digest('hex').slice(0, 12);
  return {
    component: 'pod-tools',
    // The sources are ours: a change to any of them is a new version (a new bin folder).
    version: `src-${digest}`,
    binaries: POD_TOOLS,
    packages: POD_TOOLS.map((t) => `./${t}`),
    goMod: async () => plainWrapper('pod-tools', '1.22', []),
    goModInputs: { go: '1.22' },
    files,
  };
}

export function kindTarget(version: string): BuildTarget {
  const module = 'sigs.k8s.io/kind';
  return {
    component: 'kind',
    version,
    binaries: ['kind'],
    packages: [module],
    goMod: async (fetch) =>
      plainWrapper(`kind-${version}`, (await fetch(module, version)).go, [{ path: module, version }]),
    goModInputs: { module, version },
  };
}
