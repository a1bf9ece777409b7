import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireEngine, ENGINE_CLAIM, ENGINE_NETNS, enginePaths } from '../scripts/cluster/kind/engine.ts';
import { clusterMain } from '../scripts/cluster/main.ts';
import { netnsFile } from '../scripts/cluster/pods/namespaces.ts';
import { sandboxPaths } from '../scripts/cluster/sandbox.ts';
import { formatError } from '../scripts/lib/errors.ts';
import { memoryIo } from '../scripts/lib/io.ts';
import { Status } from '../scripts/lib/status.ts';

/**
 * kind where neither a Docker nor the project's own daemon can be had (no docker client, no dockerd,
 * no apt-get on PATH): one clear refusal naming what is missing and how to get it, and nothing made
 * or left behind — no namespace, no claim, no half sandbox, and no attempt to run a kind that was
 * never built (which used to end in `spawn …/kind ENOENT` with a stack trace).
 */
describe('kind without an engine', () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-noengine-'));
  const env = { PATH: '/nonexistent', VDOCS_CACHE_DIR: cache, NO_COLOR: '1', HOME: cache };
  const ours = () => fs.existsSync(ENGINE_CLAIM) && fs.readFileSync(ENGINE_CLAIM, 'utf8').includes(cache);

  it('acquireEngine refuses with what is missing and the fix, before touching the machine', async () => {
    const io = memoryIo(env);
    const error = await acquireEngine('x', io, new Status(io)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KIND_NO_ENGINE' });
    expect((error as Error).message).toContain('필요한 명령이 없습니다: dockerd, docker');
    expect((error as Error & { hint: string }).hint).toContain(
      'apt-get install --no-install-recommends docker.io mmdebstrap',
    );
    expect(fs.existsSync(enginePaths(env).dir)).toBe(false);
    expect(ours()).toBe(false);
  });

  it('npm run cluster -- up --provider kind ends in that refusal, not a stack trace, and removes the half-made sandbox', async () => {
    const netnsBefore = fs.existsSync(netnsFile(ENGINE_NETNS));
    const error = await clusterMain(['up', '--provider', 'kind', '--name', 'noengine'], memoryIo(env)).catch(
      (e: unknown) => e,
    );
    const { text, exitCode } = formatError(error);
    expect(exitCode).toBe(1);
    expect(text).toContain('[KIND_NO_ENGINE]');
    expect(text).not.toContain('예기치 못한 오류');
    expect(text).not.toContain('ENOENT');
    expect(fs.existsSync(sandboxPaths('noengine', env).dir)).toBe(false);
    expect(fs.existsSync(netnsFile(ENGINE_NETNS))).toBe(netnsBefore);
    expect(ours()).toBe(false);
  });
});
