import { UsageError } from '../lib/errors.ts';
import { majorMinor, requireVersion } from '../model/version.ts';

/**
 * Which Kubernetes each sandbox can run, one row per minor: kwok builds that exact version from the Go module
 * proxy, kind boots the pinned node image (by digest) with the kind release it was built for.
 */
export interface KubernetesRelease {
  /** Minor as the user types it: `1.37`. */
  minor: string;
  /** Exact version built for kwok and reported by the API server: `v1.37.0`. */
  kubernetes: string;
  /** The pinned kind node image, always with its sha256 digest. */
  kindNodeImage: string;
  /** The kind release that image was built for (kind warns images are tied to a release). */
  kindRelease: string;
  /**
   * Go toolchain for building this Kubernetes version (`GOTOOLCHAIN`), when the machine's Go
   * cannot build it. Toolchains come from the module proxy. Undefined: the local `go`.
   */
  goToolchain?: string;
}

export const KUBERNETES_RELEASES: readonly KubernetesRelease[] = [
  {
    minor: '1.37',
    kubernetes: 'v1.37.0',
    // kind v0.33.0's default node image (pkg/apis/config/defaults/image.go).
    kindNodeImage: 'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5',
    kindRelease: 'v0.33.0',
  },
  // The last generation (below 1.25) that still has PodSecurityPolicy (policy/v1beta1).
  {
    minor: '1.24',
    kubernetes: 'v1.24.17',
    // The last 1.24 image kind published, in the v0.22.0 release notes ("Images pre-built for this release").
    // Older choices: v0.21.0 shipped v1.24.17@sha256:ea292d57…, v0.20.0 shipped v1.24.15@sha256:7db4f8be….
    kindNodeImage: 'kindest/node:v1.24.17@sha256:bad10f9b98d54586cba05a7eaa1b61c6b90bfc4ee174fdc43a7b75ca75c95e51',
    kindRelease: 'v0.22.0',
    // k8s.io/kubernetes v1.24.17 says `go 1.19`; Go 1.26.8 builds it as is (measured: 10m12s cold
    // for its modules), so no GOTOOLCHAIN is needed. Set goToolchain here if a future Go cannot.
  },
];

export const DEFAULT_KUBERNETES = '1.37';

/** Component versions that do not depend on the Kubernetes minor. */
export const COMPONENTS = {
  /** Newest 3.6 patch on proxy.golang.org (go.etcd.io/etcd/server/v3/@v/list) when this was pinned. */
  etcd: 'v3.6.16',
  kwok: 'v0.8.0',
} as const;

/** Looks up a minor (`1.37`, `v1.37`, `1.37.0` all accepted); a UsageError lists the known ones. */
export function resolveKubernetes(input: string | undefined): KubernetesRelease {
  const wanted = (input ?? DEFAULT_KUBERNETES).trim().replace(/^v/, '');
  const minor = majorMinor(wanted);
  const found = KUBERNETES_RELEASES.find((r) => r.minor === minor);
  // A patch, when given, must be the one we build: `1.37.0`, not `1.37.5`.
  if (!found || (wanted !== minor && found.kubernetes !== `v${wanted}`)) {
    const known = KUBERNETES_RELEASES.map((r) => `${r.minor} (${r.kubernetes})`).join(', ');
    throw new UsageError(
      'CLUSTER_UNKNOWN_VERSION',
      `알 수 없는 Kubernetes 버전입니다: --kubernetes ${input}`,
      `지원하는 버전: ${known}. 예: npm run cluster -- up --kubernetes ${DEFAULT_KUBERNETES}`,
    );
  }
  return found;
}

/** Staging modules of Kubernetes v1.N.P are tagged v0.N.P. */
export function stagingVersion(kubernetes: string): string {
  const { minor, patch } = requireVersion(kubernetes);
  return `v0.${minor}.${patch}`;
}
