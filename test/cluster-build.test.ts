import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../scripts/lib/errors.ts';
import { memoryIo } from '../scripts/lib/io.ts';
import { binDirOf, ensureBuilt, isBuilt } from '../scripts/cluster/build.ts';
import { kwokTarget } from '../scripts/cluster/targets.ts';
import { clusterMain } from '../scripts/cluster/main.ts';

const temps: string[] = [];
const tempCache = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-build-'));
  temps.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('binary cache', () => {
  it('a cached build is used as is: no go needed, nothing printed', async () => {
    const env = { VDOCS_CACHE_DIR: tempCache(), PATH: '/nonexistent' };
    const t = kwokTarget();
    const dir = binDirOf(t, env);
    expect(dir).toMatch(new RegExp(`^${path.join(env.VDOCS_CACHE_DIR, 'bin', 'kwok-v0\\.8\\.0-')}[0-9a-f]{12}$`));
    fs.mkdirSync(dir, { recursive: true });
    for (const b of t.binaries) fs.writeFileSync(path.join(dir, b), '#!/bin/sh\n', { mode: 0o755 });
    expect(isBuilt(t, env)).toBe(false); // binaries without build.json are a half-made build
    fs.writeFileSync(path.join(dir, 'build.json'), '{}');
    expect(isBuilt(t, env)).toBe(true);
    const io = memoryIo(env);
    expect(await ensureBuilt(t, io)).toBe(dir);
    expect(io.stderr()).toBe('');
  });

  it('an uncached build without go fails before touching the cache', async () => {
    const env = { VDOCS_CACHE_DIR: tempCache(), PATH: '/nonexistent' };
    const error = await ensureBuilt(kwokTarget(), memoryIo(env)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).code).toBe('GO_NOT_FOUND');
    expect(fs.existsSync(path.join(env.VDOCS_CACHE_DIR, 'bin'))).toBe(false);
  });
});

describe('commands without a sandbox', () => {
  it.each([['kubeconfig'], ['status']])(
    '%s exits non-zero with a message and the command that creates one',
    async (sub) => {
      const io = memoryIo({ VDOCS_CACHE_DIR: tempCache() });
      const error = (await clusterMain([sub], io).catch((e: unknown) => e)) as EnvironmentError;
      expect(error).toBeInstanceOf(EnvironmentError);
      expect(error.code).toBe('CLUSTER_NOT_UP');
      expect(error.exitCode).toBe(1);
      expect(error.hint).toContain('npm run cluster -- up');
      expect(io.stdout()).toBe('');
    },
  );

  it('down is idempotent: nothing to do is success', async () => {
    const io = memoryIo({ VDOCS_CACHE_DIR: tempCache() });
    expect(await clusterMain(['down'], io)).toBe(0);
    expect(io.stderr()).toContain('할 일이 없습니다');
  });
});
