import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import metallb from '../runbooks/metallb.ts';
import { binDirOf } from '../scripts/cluster/build.ts';
import { imageTarget, podToolsTarget } from '../scripts/cluster/targets.ts';
import { codeFingerprint, type CodeReader } from '../scripts/model/fingerprint.ts';
import { readPage } from '../scripts/model/page.ts';
import type { Runbook } from '../scripts/model/runbook.ts';
import { verdict } from '../scripts/model/verdict.ts';
import { bind } from '../scripts/runbook/bind.ts';
import { passingReport } from './helpers/reports.ts';

/**
 * The code fingerprint a report records is complete: every file that decides an outcome is in it,
 * found from the module graph of the runner and the cluster programs (not from a list kept by
 * hand), with the Go sources and node-image files the providers build from and the npm packages the
 * code imports. A one-line change to any of them makes a report of the current page stale, and the
 * verdict names the file. Files are changed through the fingerprint's reader, not in the tree.
 */
const root = process.cwd();
const binding = bind(metallb, readPage(metallb.page));
const original = new Map<string, string | Uint8Array | undefined>();
const real: CodeReader = (file) => {
  if (!original.has(file)) {
    try {
      original.set(file, fs.readFileSync(path.join(root, file)));
    } catch {
      original.set(file, undefined);
    }
  }
  return original.get(file);
};
const now = codeFingerprint(root, real);
const report = passingReport(binding, now);
const files = Object.keys(now).filter((f) => !f.startsWith('package-lock.json: '));

/** A comment line in the file's own syntax. */
const comment = (file: string) => (/\.(ts|go)$/.test(file) ? '\n// a one-line change\n' : '\n# a one-line change\n');

describe('the code fingerprint', () => {
  it('takes every module the runner and the providers load, and what the providers build from', () => {
    const walked = (dir: string) =>
      fs
        .readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    expect(files).toEqual(
      expect.arrayContaining([
        // what the reviewer found missing from the hand list
        'scripts/cluster/kubeproxy.ts',
        'scripts/cluster/pods/config.ts',
        'go/pod-tools/standin-web/main.go',
        'go/kube-proxy-config/main.go',
        ...walked('scripts/cluster/kubelet'),
        ...walked('scripts/cluster/kind'),
        ...walked('go'),
        // the entry points and the judge itself
        'scripts/runbook.ts',
        'scripts/cluster.ts',
        'scripts/runbook/runner.ts',
        'scripts/runbook/check.ts',
        'scripts/model/verdict.ts',
        'scripts/runbook/match/table.ts',
      ]),
    );
    expect(Object.keys(now)).toEqual(
      expect.arrayContaining([
        'package-lock.json: node_modules/yaml',
        'package-lock.json: node_modules/zod',
        'package-lock.json: node_modules/@kubernetes/client-node',
        'package-lock.json: node_modules/zx',
      ]),
    );
    // Code no run loads is not in it: a change to the benchmarks or the site keeps the reports.
    expect(
      files.filter((f) => f.startsWith('scripts/bench/') || f.startsWith('src/') || f.startsWith('test/')),
    ).toEqual([]);
  });

  it('the current report of the page passes with it', () => {
    expect(verdict({ report, binding, code: now }).status).toBe('passed');
  });

  it.each(files)('a one-line change to %s makes the report stale, naming the file', (file) => {
    const changed = codeFingerprint(root, (f) =>
      f === file ? Buffer.concat([Buffer.from(real(f) ?? ''), Buffer.from(comment(f))]) : real(f),
    );
    const v = verdict({ report, binding, code: changed });
    expect(v.status).toBe('stale');
    expect(v.counts.stale).toBe(v.steps.size);
    expect(v.reasons[0]).toContain(`: ${file}`);
  });

  it('another version of an npm package the runner imports makes the report stale, naming it', () => {
    const lock = JSON.parse(String(real('package-lock.json'))) as { packages: Record<string, { version: string }> };
    lock.packages['node_modules/yaml']!.version = '9.9.9';
    const changed = codeFingerprint(root, (f) => (f === 'package-lock.json' ? JSON.stringify(lock) : real(f)));
    expect(verdict({ report, binding, code: changed }).reasons[0]).toContain('package-lock.json: node_modules/yaml');
  });

  it('a new module the runner imports is seen through its importer', () => {
    const changed = codeFingerprint(root, (f) =>
      f === 'scripts/runbook/check.ts'
        ? `${String(real(f))}\nimport './extra.ts';\n`
        : f === 'scripts/runbook/extra.ts'
          ? 'export {};\n'
          : real(f),
    );
    expect(Object.keys(changed)).toContain('scripts/runbook/extra.ts');
    expect(verdict({ report, binding, code: changed }).reasons[0]).toMatch(
      /scripts\/runbook\/check\.ts, scripts\/runbook\/extra\.ts/,
    );
  });
});

describe("the runbook's other fields", () => {
  it.each<[string, Partial<Runbook>, string]>([
    [
      'images (a go.mod bump)',
      {
        images: metallb.images!.map((i) => ({ ...i, bumps: { ...i.bumps, 'github.com/json-iterator/go': 'v1.1.13' } })),
      },
      'images',
    ],
    ['needs', { needs: { runningPods: '웹훅을 부릅니다.' } }, 'needs'],
    ['logs', { logs: [...metallb.logs!, { name: 'extra', namespace: 'metallb-system', selector: 'app=x' }] }, 'logs'],
    ['versions', { versions: [] }, 'versions'],
  ])('a change to %s makes the report stale, naming the field', (_name, change, field) => {
    const runbook: Runbook = { ...metallb, ...change };
    const v = verdict({ report, binding: bind(runbook, binding.page), code: now });
    expect(v.status).toBe('stale');
    expect(v.reasons).toContain(`runbooks/metallb.ts 의 ${field} 가 바뀌었습니다.`);
  });
});

describe('build caches are keyed by what the build is made from', () => {
  it('a changed go.mod bump is another bin folder (the old binary is never reused)', () => {
    const env = { VDOCS_CACHE_DIR: '/c' };
    const controller = metallb.images![0]!;
    const bumped = { ...controller, bumps: { ...controller.bumps, 'github.com/modern-go/reflect2': 'v1.0.3' } };
    expect(binDirOf(imageTarget(controller), env)).toMatch(/^\/c\/bin\/metallb-controller-v0\.11\.0-[0-9a-f]{12}$/);
    expect(binDirOf(imageTarget(bumped), env)).not.toBe(binDirOf(imageTarget(controller), env));
  });

  it('our own Go sources are part of the key', () => {
    const t = podToolsTarget();
    const edited = {
      ...t,
      files: { ...t.files, 'standin-web/main.go': `${t.files!['standin-web/main.go']}\n// change\n` },
    };
    expect(binDirOf(edited, {})).not.toBe(binDirOf(t, {}));
  });
});
