/**
 * Types are enforced: `npm test` runs `astro check` (the project's strict tsconfig over every .ts and
 * .astro file) before vitest, and the type checker really rejects a handler table that misses a
 * step kind. tsc runs with the project's own compiler options on two small files: the complete
 * table compiles, the one without `manual` does not.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/site-build.ts';

// Under .cache/ (ignored by git and excluded from the project's tsconfig), so a run of
// `npm run typecheck` at the same time never sees these files.
const dir = path.join(ROOT, '.cache', `typecheck-probe-${process.pid}`);
const context = path.relative(dir, path.join(ROOT, 'scripts/runbook/context.ts'));

// Stand-in handlers: what is checked is that the mapped type (scripts/runbook/context.ts), which the
// real table in steps.ts is declared with, accepts every step kind and rejects a table without one.
const handler = "const h = (async () => ({ status: 'passed' })) as never;";
const files = {
  'complete.ts': [
    `import type { Handlers } from '${context}';`,
    handler,
    'export const complete: Handlers = { run: h, file: h, edit: h, manual: h };',
    '',
  ],
  'missing.ts': [
    `import type { Handlers } from '${context}';`,
    handler,
    'export const missing: Handlers = { run: h, file: h, edit: h };',
    '',
  ],
};

interface Diagnostic {
  file: string;
  code: string;
  message: string;
}

let tsc: { status: number | null; diagnostics: Diagnostic[]; output: string };

beforeAll(() => {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, lines] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), lines.join('\n'));
  const tsconfig = {
    extends: path.relative(dir, path.join(ROOT, 'tsconfig.json')),
    files: Object.keys(files),
    include: [],
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir, '--noEmit', '--pretty', 'false'],
    { encoding: 'utf8', cwd: ROOT, timeout: 120_000 },
  );
  const output = `${r.stdout}${r.stderr}`;
  const diagnostics = [...output.matchAll(/^(.+?)\(\d+,\d+\): error (TS\d+): (.*)$/gm)].map(
    ([, file, code, message]) => ({ file: path.resolve(ROOT, file!), code: code!, message: message! }),
  );
  tsc = { status: r.status, diagnostics, output };
}, 180_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('type checking', () => {
  it('npm test runs the prereq step, then the type check, then the unit tier; test:e2e runs the cluster tier', () => {
    const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    // Types only: astro.config.mjs validates the reports when it loads, so point it at no reports
    // (the reports have their own tests) and a stale report is not reported as a type error.
    expect(scripts['typecheck']).toBe('REPORTS_DIR=.cache/typecheck-no-reports astro check');
    expect(scripts['test']).toBe('node scripts/prereqs.ts && npm run --silent typecheck && vitest run --project unit');
    expect(scripts['test:e2e']).toBe('node scripts/prereqs.ts && vitest run --project e2e');
  });

  it('the complete handler table compiles', () => {
    expect(
      tsc.diagnostics.filter((d) => d.file === path.join(dir, 'complete.ts')),
      tsc.output,
    ).toEqual([]);
  });

  it('a table without the manual handler is a compile error, and tsc exits non-zero', () => {
    const errors = tsc.diagnostics.filter((d) => d.file === path.join(dir, 'missing.ts'));
    expect(errors, tsc.output).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'TS2741' });
    expect(errors[0]?.message).toMatch(/^Property 'manual' is missing in type .* but required in type 'Handlers'\.$/);
    expect(tsc.status).not.toBe(0);
  });
});
