/** Fingerprints: what a report records so that a later change to anything a step depended on is seen. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
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

/** The runner and the cluster providers: every module they load is found by following imports, not listed by hand. */
const CODE_ENTRIES = ['scripts/runbook.ts', 'scripts/cluster.ts'] as const;

/** Reads a project file by its path relative to the root; undefined when there is none. */
export type CodeReader = (file: string) => string | Uint8Array | undefined;

const STATIC_IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\bfrom\s*)?['"]([^'"\n]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*(?:\/\*[^*]*\*\/\s*)?['"]([^'"\n]+)['"]\s*\)/g;
const TS_PATH = /['"]([\w./-]+\.ts)['"]/g;

/**
 * Everything that decides a run's outcome besides the page and the runbook, path → hash so a change names the file:
 * the modules `CODE_ENTRIES` load, what the providers build from, and the npm packages those modules import with all
 * they depend on (`package-lock.json: node_modules/<name>`). `read` lets a test change a file without touching the tree.
 */
export function codeFingerprint(
  root: string,
  read: CodeReader = (file) => readOrNone(path.join(root, file)),
): Record<string, string> {
  const seen = new Map<string, string | undefined>();
  const text = (file: string) => {
    if (!seen.has(file)) {
      const bytes = read(file);
      seen.set(file, bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8'));
    }
    return seen.get(file);
  };
  const out: Record<string, string> = {};
  const packages = new Set<string>();
  const todo: string[] = [...CODE_ENTRIES];
  while (todo.length > 0) {
    const file = todo.pop()!;
    const source = text(file);
    if (source === undefined || out[file] !== undefined) continue;
    out[file] = fingerprint(source);
    const dir = path.posix.dirname(file);
    const specs = [
      ...[...source.matchAll(STATIC_IMPORT)].filter((m) => !m[1]).map((m) => m[2]!),
      ...[...source.matchAll(DYNAMIC_IMPORT)].map((m) => m[1]!),
    ];
    for (const spec of specs) {
      if (spec.startsWith('.')) todo.push(path.posix.join(dir, spec));
      else if (!spec.startsWith('node:') && !builtinModules.includes(spec))
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
    for (const [, named] of source.matchAll(TS_PATH)) {
      const found = [path.posix.join(dir, named!), path.posix.normalize(named!)].find((f) => text(f) !== undefined);
      if (found) todo.push(found);
    }
  }
  // What the providers build or copy beside the TypeScript: all of go/, the other files of scripts/ (kind's node image).
  for (const file of [...filesUnder(root, 'go'), ...filesUnder(root, 'scripts').filter((f) => !f.endsWith('.ts'))])
    out[file] = fingerprint(read(file) ?? '');
  const lock = text('package-lock.json');
  if (lock !== undefined) Object.assign(out, packageFingerprints(JSON.parse(lock) as PackageLock, packages));
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

type Deps = Partial<Record<'dependencies' | 'optionalDependencies' | 'peerDependencies', Record<string, string>>>;
type PackageLock = { packages: Record<string, Deps & { version?: string; integrity?: string; resolved?: string }> };

/** The lockfile entries of the packages and everything they depend on, resolved as Node resolves them (nested first). */
function packageFingerprints(lock: PackageLock, names: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (name: string, from: string) => {
    let key: string | undefined;
    for (let at = from; key === undefined; at = at.replace(/\/?node_modules\/(?:@[^/]+\/)?[^/]+$/, '')) {
      const candidate = `${at ? `${at}/` : ''}node_modules/${name}`;
      if (lock.packages[candidate]) key = candidate;
      else if (!at) return;
    }
    if (out[`package-lock.json: ${key}`] !== undefined) return;
    const entry = lock.packages[key]!;
    out[`package-lock.json: ${key}`] = fingerprint(`${entry.version ?? ''} ${entry.integrity ?? entry.resolved ?? ''}`);
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies }))
      visit(dep, key);
  };
  for (const name of names) visit(name, '');
  return out;
}

function readOrNone(file: string): Uint8Array | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Every file under a folder of the project, relative to the root (none when it does not exist). */
function filesUnder(root: string, dir: string): string[] {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  return (fs.readdirSync(full, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** The runbook's fields but steps, fixtures and pins (field → hash): a change makes every step stale (pins are judged per step). */
export function runbookFields(runbook: Runbook): Record<string, string> {
  const { steps: _steps, fixtures: _fixtures, pins: _pins, ...fields } = runbook;
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, fingerprint(canonical(v))]),
  );
}

/** What differs between two path → hash records, one line per key: `a` as recorded, `b` now. */
export function changedKeys(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
}
