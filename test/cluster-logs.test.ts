import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterMain } from '../scripts/cluster/main.ts';
import { writeSandbox } from '../scripts/cluster/state.ts';
import { memoryIo } from '../scripts/lib/io.ts';

/** `npm run cluster -- logs`: one folder with what a person needs to see why a sandbox failed (verify calls it for a failed page). */
describe('cluster logs', () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-logs-'));
  const env = { VDOCS_CACHE_DIR: cache, PATH: process.env.PATH, NO_COLOR: '1' };

  it("copies the sandbox's own logs and its components' logs kept elsewhere into the folder, and prints it", async () => {
    const dir = path.join(cache, 'sandbox', 'broken');
    fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'logs', 'kube-apiserver.log'), 'E1207 etcd unreachable\n');
    const daemon = path.join(cache, 'docker', 'dockerd.log');
    fs.mkdirSync(path.dirname(daemon), { recursive: true });
    fs.writeFileSync(daemon, 'level=warning msg=x\n');
    writeSandbox(
      {
        name: 'broken',
        provider: 'pods',
        kubernetes: 'v1.37.0',
        context: 'c',
        kubeconfig: path.join(dir, 'kubeconfig'),
        server: 'https://127.0.0.1:1',
        createdAt: '2026-12-07T00:00:00Z',
        processes: [],
        logs: { 'kube-apiserver': path.join(dir, 'logs', 'kube-apiserver.log'), dockerd: daemon },
      },
      env,
    );
    const io = memoryIo(env, cache);
    expect(await clusterMain(['logs', '--name', 'broken', '--to', 'out'], io)).toBe(0);
    expect(io.stdout()).toBe(`${path.join(cache, 'out')}\n`);
    expect(fs.readFileSync(path.join(cache, 'out', 'sandbox', 'kube-apiserver.log'), 'utf8')).toBe(
      'E1207 etcd unreachable\n',
    );
    expect(fs.readFileSync(path.join(cache, 'out', 'dockerd.log'), 'utf8')).toBe('level=warning msg=x\n');
  });

  it('needs a folder and a sandbox, and says how to get each', async () => {
    await expect(clusterMain(['logs', '--name', 'broken'], memoryIo(env))).rejects.toMatchObject({
      code: 'CLUSTER_NO_LOGS_DIR',
      exitCode: 2,
    });
    await expect(clusterMain(['logs', '--name', 'nosuch', '--to', 'x'], memoryIo(env))).rejects.toMatchObject({
      code: 'CLUSTER_NOT_UP',
    });
  });
});
