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

/** What the sandbox builds from the Go module proxy: one BuildTarget per cached bin folder. */

/** One of our own Go files under go/, added to a wrapper module. */
const goSource = (file: string) => fs.readFileSync(path.join(projectRoot, 'go', file), 'utf8');

/** -X stamps so `--version` reports the real version (kwokctl reads it to pick flags). */
export function kubernetesLdflags(kubernetes: string): string[] {
  const { major, minor } = requireVersion(kubernetes);
  return [
    '-s',
    '-w',
    ...['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
      `-X ${pkg}.gitVersion=${kubernetes}`,
      `-X ${pkg}.gitMajor=${major}`,
      `-X ${pkg}.gitMinor=${minor}`,
      `-X ${pkg}.gitTreeState=clean`,
    ]),
  ];
}

const KUBE_COMMANDS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'];

/** Control plane + kubectl + our kube-proxy-config helper, one version, one go build. */
export function kubernetesTarget(release: KubernetesRelease): BuildTarget {
  const { kubernetes: version } = release;
  const [module, staging] = ['k8s.io/kubernetes', stagingVersion(version)];
  return {
    component: 'kubernetes',
    version,
    binaries: [...KUBE_COMMANDS, 'kube-proxy-config'],
    packages: [...KUBE_COMMANDS.map((c) => `${module}/cmd/${c}`), './kube-proxy-config'],
    goMod: async (fetch) => kubernetesWrapper(await fetch(module, version), version, staging),
    goModInputs: { module, version, staging },
    files: { 'kube-proxy-config/main.go': goSource('kube-proxy-config/main.go') },
    ldflags: kubernetesLdflags(version),
    ...(release.goToolchain ? { toolchain: release.goToolchain } : {}),
  };
}

/** Other commands of the same wrapper module, with the same stamps, in their own bin folder. */
function kubernetesCommands(release: KubernetesRelease, component: string, commands: string[]): BuildTarget {
  const packages = commands.map((c) => `k8s.io/kubernetes/cmd/${c}`);
  return { ...kubernetesTarget(release), component, binaries: commands, packages, files: {} };
}

/** kubelet, kube-proxy and kubeadm (pods provider, kind's offline node image). */
export const kubernetesNodeTarget = (release: KubernetesRelease) =>
  kubernetesCommands(release, 'kubernetes-node', ['kubelet', 'kube-proxy', 'kubeadm']);

/** kubectl alone (kind provider: the control plane runs in the node image). */
export const kubectlTarget = (release: KubernetesRelease) => kubernetesCommands(release, 'kubectl', ['kubectl']);

/** Commands of a module whose own requires are real versions: a wrapper that only requires it. */
function plainTarget(
  component: string,
  module: string,
  version: string,
  binaries: string[],
  packages: string[],
  files?: Record<string, string>,
): BuildTarget {
  return {
    component,
    version,
    binaries,
    packages,
    goMod: async (fetch) =>
      plainWrapper(`${component}-${version}`, (await fetch(module, version)).go, [{ path: module, version }]),
    goModInputs: { module, version },
    ...(files ? { files } : {}),
  };
}

export const etcdTarget = (version: string = COMPONENTS.etcd) =>
  plainTarget('etcd', 'go.etcd.io/etcd/server/v3', version, ['etcd'], ['go.etcd.io/etcd/server/v3']);

/**
 * CoreDNS at the version kubeadm deploys, built with only the plugins of kubeadm's Corefile
 * (go/coredns/main.go) for the offline kind node image.
 */
export const corednsTarget = (version: string) =>
  plainTarget('coredns', 'github.com/coredns/coredns', version, ['coredns'], ['./coredns'], {
    'coredns/main.go': goSource('coredns/main.go'),
  });

export const kwokTarget = (version: string = COMPONENTS.kwok) =>
  plainTarget(
    'kwok',
    'sigs.k8s.io/kwok',
    version,
    ['kwok', 'kwokctl'],
    ['sigs.k8s.io/kwok/cmd/kwok', 'sigs.k8s.io/kwok/cmd/kwokctl'],
  );

export const kindTarget = (version: string) =>
  plainTarget('kind', 'sigs.k8s.io/kind', version, ['kind'], ['sigs.k8s.io/kind']);

/**
 * The command of a runbook's image: one `go build` of its package in a wrapper requiring `module@version`,
 * in its own bin folder (`metallb-controller-v0.11.0-<inputs>`, bumps in the digest), so pages needing other
 * commands of the module never rebuild it; Go's build cache shares the dependencies.
 */
export function imageTarget(image: ImageBuild): BuildTarget {
  const { module, version } = image;
  const binary = binaryName(image.package);
  return {
    component: `${binaryName(module).replace(/[^A-Za-z0-9.-]+/g, '_')}-${binary}`,
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
  const files = Object.fromEntries(POD_TOOLS.map((t) => [`${t}/main.go`, goSource(`pod-tools/${t}/main.go`)]));
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
