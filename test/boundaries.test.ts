import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../scripts/lib/paths.ts';
import { availableRunbooks, importRunbook } from '../scripts/model/runbooks.ts';

/**
 * The shape issue 15 asks for, checked on the code itself: the runner reaches a cluster only
 * through the Provider interface, and generic code knows no component a page installs (those come
 * from the runbooks), so a new provider or a page with other components needs no edit there.
 */

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(projectRoot, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(rel));
    else if (entry.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** Module specifiers a file imports (static and dynamic). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(projectRoot, file), 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*)'([^']+)'/g)].map((m) => m[1]!);
}

/** The code without comments: a component named in an explanation is fine, in code it is not. */
function code(file: string): string {
  return fs
    .readFileSync(path.join(projectRoot, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/\s\/\/ .*$/gm, '');
}

describe('the runner reaches a cluster only through the Provider interface', () => {
  it.each(tsFiles('scripts/runbook'))('%s imports nothing of scripts/cluster but provider.ts', (file) => {
    const cluster = importsOf(file)
      .map((spec) => path.relative(projectRoot, path.resolve(projectRoot, path.dirname(file), spec)))
      .filter((target) => target.startsWith('scripts/cluster/'));
    expect(cluster.filter((t) => t !== 'scripts/cluster/provider.ts')).toEqual([]);
  });
});

describe('generic code names no component a page installs', async () => {
  const runbooks = await Promise.all(availableRunbooks(projectRoot).map((n) => importRunbook(projectRoot, n)));
  const names = [
    ...new Set(
      runbooks.flatMap((r) => [
        ...(r.images ?? []).flatMap((i) => [i.image, i.module, i.package, i.image.split(':')[0]!]),
        ...(r.logs ?? []).map((l) => l.namespace),
        ...(r.versions ?? []).map((v) => v.namespace),
      ]),
    ),
  ];

  it('the runbooks declare what they need (images, log namespaces)', () => {
    expect(names).toEqual(
      expect.arrayContaining(['quay.io/metallb/controller:v0.11.0', 'go.universe.tf/metallb', 'metallb-system']),
    );
  });

  it.each([
    ...tsFiles('scripts/cluster'),
    ...tsFiles('scripts/runbook'),
    ...tsFiles('scripts/lib'),
    ...tsFiles('scripts/verify'),
  ])('%s', (file) => {
    const text = code(file);
    expect(names.filter((n) => text.includes(n))).toEqual([]);
  });
});
