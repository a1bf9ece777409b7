import { describe, expect, it } from 'vitest';
import { UsageError } from '../scripts/lib/errors.ts';
import { memoryIo } from '../scripts/lib/io.ts';
import { parseClusterArgs } from '../scripts/cluster/cli.ts';
import { clusterMain } from '../scripts/cluster/main.ts';

describe('parseClusterArgs', () => {
  it.each([
    [['up'], { kind: 'up', provider: undefined, kubernetes: undefined, name: 'vdocs', retain: false }],
    [
      ['up', '--provider', 'kwok'],
      { kind: 'up', provider: 'kwok', kubernetes: undefined, name: 'vdocs', retain: false },
    ],
    [
      ['up', '--provider=kind', '--kubernetes', '1.24', '--name', 'ci-1', '--retain'],
      { kind: 'up', provider: 'kind', kubernetes: '1.24', name: 'ci-1', retain: true },
    ],
    [
      ['up', '--kubernetes', 'v1.37'],
      { kind: 'up', provider: undefined, kubernetes: 'v1.37', name: 'vdocs', retain: false },
    ],
    [['down'], { kind: 'down', name: 'vdocs' }],
    [['down', '--name', 'other'], { kind: 'down', name: 'other' }],
    [['status'], { kind: 'status', name: 'vdocs' }],
    [['kubeconfig', '--name', 'x'], { kind: 'kubeconfig', name: 'x' }],
  ])('%j', async (argv, expected) => {
    expect(await parseClusterArgs(argv)).toEqual(expected);
  });

  it.each([
    [[], 'CLUSTER_NO_COMMAND'],
    [['start'], 'CLUSTER_UNKNOWN_COMMAND'],
    [['up', '--provider', 'minikube'], 'CLUSTER_UNKNOWN_PROVIDER'],
    [['up', '--kubernetes', '1.30'], 'CLUSTER_UNKNOWN_VERSION'],
    [['up', '--kubernetes', '1.37.5'], 'CLUSTER_UNKNOWN_VERSION'],
    [['up', '--bogus'], 'CLUSTER_UNKNOWN_FLAG'],
    [['down', 'extra'], 'CLUSTER_UNEXPECTED_ARG'],
    [['status', '--name', 'Bad_Name'], 'CLUSTER_BAD_NAME'],
  ])('%j is a usage error %s', async (argv, code) => {
    const error = await parseClusterArgs(argv).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe(code);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).hint).toBeTruthy();
  });

  it('help lists every subcommand without colour codes when NO_COLOR', async () => {
    const io = memoryIo();
    expect(await clusterMain(['--help'], io)).toBe(0);
    for (const sub of ['up', 'down', 'status', 'kubeconfig']) expect(io.stdout()).toContain(sub);
    expect(io.stdout()).not.toMatch(/\u001b\[/);
  });
});

describe('error messages a user reads', () => {
  it.each([[['up', '--provider', 'minikube']], [['up', '--kubernetes', '1.30']]])('%j', async (argv) => {
    const error = (await parseClusterArgs(argv).catch((e: unknown) => e)) as UsageError;
    expect(`${error.message}\n힌트: ${error.hint}`).toMatchSnapshot();
  });
});

describe('the real CLI (spawned once)', () => {
  it('without Go on PATH and nothing cached, `up` fails with exit 2, names go and how to install it, and leaves nothing behind', async () => {
    const { spawnSync } = await import('node:child_process');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-nogo-'));
    const res = spawnSync(process.execPath, ['scripts/cluster.ts', 'up', '--provider', 'kwok', '--name', 'nogo'], {
      cwd: path.resolve(import.meta.dirname, '..'),
      env: { PATH: '/nonexistent', HOME: os.homedir(), VDOCS_CACHE_DIR: cache, NO_COLOR: '1' },
      encoding: 'utf8',
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('[GO_NOT_FOUND]');
    expect(res.stderr).toContain('https://go.dev/doc/install');
    expect(fs.existsSync(path.join(cache, 'sandbox', 'nogo'))).toBe(false);
    fs.rmSync(cache, { recursive: true, force: true });
  });
});
