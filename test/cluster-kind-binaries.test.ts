/**
 * The nightly installs kind and kubectl as checksum-pinned release binaries on PATH; the kind
 * provider must use them instead of building either from Go source.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureKind, ensureKubectlDir, parseKubectlClientVersion } from '../scripts/cluster/kind/cluster.ts';
import { resolveKubernetes } from '../scripts/cluster/versions.ts';
import type { Io } from '../scripts/lib/io.ts';
import { Status } from '../scripts/lib/status.ts';

function standIns(kubectlVersion: string, kindVersion: string): { io: Io; bin: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-kind-bin-'));
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'kubectl'),
    `#!/bin/sh\necho '{"clientVersion":{"gitVersion":"${kubectlVersion}"}}'\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(bin, 'kind'), `#!/bin/sh\necho 'kind ${kindVersion} go1.26.8 linux/amd64'\n`, {
    mode: 0o755,
  });
  // An empty cache: anything not taken from PATH would have to be built (and Go is not on this PATH).
  const env = { PATH: `${bin}:/usr/bin:/bin`, VDOCS_CACHE_DIR: path.join(root, 'cache'), NO_COLOR: '1' };
  const io: Io = {
    out: () => {},
    err: () => {},
    env,
    cwd: root,
    interactive: false,
    signal: new AbortController().signal,
  };
  return { io, bin };
}

describe('kind provider binaries from PATH', () => {
  it.each([
    ['{"clientVersion":{"gitVersion":"v1.37.0"}}', 'v1.37.0'],
    ['{"clientVersion":{"gitVersion":"v1.24.17"},"kustomizeVersion":"v4.5.4"}', 'v1.24.17'],
    ['Client Version: v1.37.0', undefined],
  ])('reads the client version of %s', (output, version) => {
    expect(parseKubectlClientVersion(output)).toBe(version);
  });

  it('uses the release kubectl and kind on PATH when they are exactly the versions the image needs', async () => {
    const release = resolveKubernetes('1.37');
    const { io, bin } = standIns(release.kubernetes, release.kindRelease);
    const status = new Status(io);
    expect(await ensureKubectlDir(release, io, status)).toBe(bin);
    expect(await ensureKind(release, io, status)).toBe(path.join(bin, 'kind'));
  });

  it('does not take a kubectl of another version from PATH (it would build one instead)', async () => {
    const release = resolveKubernetes('1.24');
    const { io } = standIns('v1.37.0', release.kindRelease);
    await expect(ensureKubectlDir(release, io, new Status(io))).rejects.toThrow(/Go/);
  });
});
