/**
 * Fingerprints: what a report records so that any later change to what a step depended on
 * (its page blocks, its rule in the runbook, the runner's code, a mirrored file) is seen.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Fixture, Runbook, Step } from './runbook.ts';

/** First 16 hex digits of the sha256 of a text or bytes. */
export function fingerprint(data: string | Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex').slice(0, 16);
}

/** A value in canonical JSON: keys sorted, RegExps as `/source/flags`, undefined dropped. */
export function canonical(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (v instanceof RegExp) return `/${v.source}/${v.flags}`;
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([, x]) => x !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, x]) => [k, norm(x)]),
      );
    }
    return v;
  };
  return JSON.stringify(norm(value));
}

/**
 * The fingerprint of a step's declaration: everything the runbook says about how to run and judge
 * it (kind, rules, waits, conditions, object checks), not its display title.
 */
export function ruleHash(declaration: Step | Fixture): string {
  const { title: _title, ...rule } = declaration as Step & { title?: string };
  return fingerprint(canonical(rule));
}

/** Rule fingerprints of a runbook, by step id (fixtures as `fixture:<edit step>`). */
export function ruleHashes(runbook: Runbook): Map<string, string> {
  return new Map([
    ...runbook.steps.map((s) => [s.id, ruleHash(s)] as const),
    ...runbook.fixtures.map((f) => [fixtureKey(f), ruleHash(f)] as const),
  ]);
}

/** How a fixture is keyed in `ruleHashes` (its report step id is only known once bound). */
export function fixtureKey(fixture: Fixture): string {
  return `fixture:${fixture.edit}`;
}

/**
 * The code that runs and judges steps: the runner, the shared model (page reader, report schema,
 * verdict), the small shared library, and the code that checks browser steps on the pods provider.
 * A change to any of it makes every report stale.
 */
export const RUNNER_CODE = ['scripts/runbook', 'scripts/model', 'scripts/lib', 'scripts/cluster/provider.ts', 'scripts/cluster/kept-logs.ts', 'scripts/cluster/kubelet/provide.ts', 'scripts/cluster/pods/images.ts', 'scripts/cluster/browser-step.ts', 'scripts/cluster/kind/client.ts', 'scripts/cluster/kind/images.ts', 'scripts/cluster/pods/browser-step.ts', 'scripts/cluster/pods/probe.ts', 'scripts/cluster/pods/backend.ts'] as const;

/** One fingerprint over the runner's code files (path and content, in path order). */
export function runnerHash(root: string): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(path.join(root, dir))) return;
    if (dir.endsWith('.ts')) return void files.push(dir);
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.ts')) files.push(rel);
    }
  };
  RUNNER_CODE.forEach(walk);
  const hash = crypto.createHash('sha256');
  for (const file of files.sort()) hash.update(`${file}\0`).update(fs.readFileSync(path.join(root, file))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** Current fingerprints of mirrored files (`<dir>/<host>/<path>`) for the given URLs; absent files are left out. */
export function mirrorFingerprints(dir: string, urls: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const url of urls) {
    const u = new URL(url);
    const file = path.join(dir, u.host, decodeURIComponent(u.pathname));
    if (fs.existsSync(file)) out[url] = fingerprint(fs.readFileSync(file));
  }
  return out;
}
