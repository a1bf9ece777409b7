import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KUBERNETES,
  KUBERNETES_RELEASES,
  resolveKubernetes,
  stagingVersion,
} from '../scripts/cluster/versions.ts';
import { kubernetesLdflags } from '../scripts/cluster/targets.ts';
import { atLeast } from '../scripts/model/version.ts';

describe('Kubernetes version table', () => {
  it('default is 1.37: kind v0.33.0 default node image, and kwok builds the same version', () => {
    const r = resolveKubernetes(undefined);
    expect(DEFAULT_KUBERNETES).toBe('1.37');
    expect(r.kubernetes).toBe('v1.37.0');
    expect(r.kindRelease).toBe('v0.33.0');
    expect(r.kindNodeImage).toBe(
      'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5',
    );
  });

  it('has a version before 1.25, where MetalLB v0.11.0 PodSecurityPolicy objects still apply', () => {
    const old = KUBERNETES_RELEASES.filter((r) => !atLeast(r.minor, '1.25'));
    expect(old.map((r) => r.minor)).toEqual(['1.24']);
    expect(old[0]!.kubernetes).toBe('v1.24.17');
    expect(old[0]!.kindRelease).toBe('v0.22.0');
  });

  it.each(KUBERNETES_RELEASES.map((r) => [r.minor, r] as const))(
    '%s: kind image is pinned by digest and matches the kwok build',
    (_, r) => {
      expect(r.kindNodeImage).toMatch(/^kindest\/node:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
      expect(r.kindNodeImage.split('@')[0]).toBe(`kindest/node:${r.kubernetes}`);
      expect(r.kubernetes.startsWith(`v${r.minor}.`)).toBe(true);
    },
  );

  it.each([
    ['1.37', 'v1.37.0'],
    ['v1.37', 'v1.37.0'],
    ['1.37.0', 'v1.37.0'],
    [' 1.24 ', 'v1.24.17'],
  ])('resolves %j to %s', (input, version) => {
    expect(resolveKubernetes(input).kubernetes).toBe(version);
  });

  it.each([['1.30'], ['1.37.5'], ['1.37.0-rc.1'], ['1'], ['latest'], ['1.37.0.0']])(
    'refuses %j, listing the known versions',
    (input) => {
      expect(() => resolveKubernetes(input)).toThrow(
        expect.objectContaining({ code: 'CLUSTER_UNKNOWN_VERSION', hint: expect.stringContaining('1.37 (v1.37.0)') }),
      );
    },
  );

  it('staging modules are v0.N.P and versions are stamped for both version packages', () => {
    expect(stagingVersion('v1.24.17')).toBe('v0.24.17');
    const ld = kubernetesLdflags('v1.37.0');
    for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
      expect(ld).toContain(`-X ${pkg}.gitVersion=v1.37.0`);
      expect(ld).toContain(`-X ${pkg}.gitMajor=1`);
      expect(ld).toContain(`-X ${pkg}.gitMinor=37`);
    }
  });
});
