import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startEditServer } from '../scripts/runbook/edit-server.ts';

const CHANGES = [
  { path: ['spec', 'type'], value: 'LoadBalancer', line: 33 },
  { path: ['spec', 'loadBalancerIP'], value: '192.168.35.100', line: 34 },
];
const SERVICE =
  'apiVersion: v1\nkind: Service\nmetadata:\n  name: x # kept\nspec:\n  type: ClusterIP\n  ports:\n  - port: 80\n';

/** Runs the editor the way kubectl does: KUBE_EDITOR followed by the file (asynchronously: the server answers from this process). */
async function edit(env: Record<string, string>, file: string): Promise<{ code: number; stderr: string }> {
  return promisify(execFile)('bash', ['-c', `${env.KUBE_EDITOR} "$1"`, 'kubectl', file], {
    env: { ...process.env, ...env },
  }).then(
    (r) => ({ code: 0, stderr: r.stderr }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
}

describe("the runner's KUBE_EDITOR (edit-server.ts)", () => {
  let server: Awaited<ReturnType<typeof startEditServer>> | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edit-server-'));
  const file = path.join(dir, 'svc.yaml');
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("applies exactly the page's marked changes and nothing else", async () => {
    server = await startEditServer(CHANGES);
    fs.writeFileSync(file, SERVICE);
    expect(await edit(server.env, file)).toEqual({ code: 0, stderr: '' });
    expect(fs.readFileSync(file, 'utf8')).toBe(
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: x # kept\nspec:\n  type: LoadBalancer\n  ports:\n    - port: 80\n  loadBalancerIP: 192.168.35.100\n',
    );
    expect(server.edited).toEqual([file]);
  });

  it('fails loudly when the change cannot be applied', async () => {
    server = await startEditServer(CHANGES);
    fs.writeFileSync(file, '- a list\n- not a Service\n');
    const r = await edit(server.env, file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^editor: 페이지의 변경을 적용하지 못했습니다: /);
    expect(fs.readFileSync(file, 'utf8')).toBe('- a list\n- not a Service\n');
  });

  it("refuses a caller without the step's token", async () => {
    server = await startEditServer(CHANGES);
    fs.writeFileSync(file, SERVICE);
    const r = await edit({ ...server.env, VDOCS_EDIT_TOKEN: 'guess' }, file);
    expect(r).toEqual({ code: 1, stderr: 'editor: 이 편집 서버의 토큰이 아닙니다.\n' });
    expect(fs.readFileSync(file, 'utf8')).toBe(SERVICE);
    expect(server.edited).toEqual([]);
  });

  it('fails when the runner no longer listens', async () => {
    const closed = await startEditServer(CHANGES);
    const env = { ...closed.env, KUBE_EDITOR: path.join(dir, 'editor-copy') };
    fs.copyFileSync(closed.env.KUBE_EDITOR ?? '', env.KUBE_EDITOR);
    fs.chmodSync(env.KUBE_EDITOR, 0o700);
    await closed.close();
    fs.writeFileSync(file, SERVICE);
    const r = await edit(env, file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('런북의 편집 서버');
    expect(fs.readFileSync(file, 'utf8')).toBe(SERVICE);
  });
});
