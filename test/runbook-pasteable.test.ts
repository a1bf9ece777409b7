import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunContext } from '../scripts/runbook/context.ts';
import { diagnose } from '../scripts/runbook/diagnose.ts';
import { pasteable } from '../scripts/runbook/paste.ts';
import { Redactor } from '../scripts/runbook/redact.ts';
import { toJUnit } from '../scripts/runbook/junit.ts';
import { explain } from '../scripts/runbook/runner.ts';
import type { RunReport, StepReport } from '../scripts/model/report.ts';
import { projectRoot } from '../scripts/lib/paths.ts';
import { readPage } from '../scripts/model/page.ts';
import { bind } from '../scripts/runbook/bind.ts';
import { loadRunbook } from '../scripts/runbook/cli.ts';
import { createMirror } from '../scripts/runbook/mirror.ts';
import { renderPlan } from '../scripts/runbook/plan.ts';
import type { Target } from '../scripts/runbook/target.ts';

/**
 * A failed step's command, the diagnostics and JUnit are shown so a person can paste them. Pasted
 * as the page has them (`kubectl get …`) they would run against the user's current context, not
 * the cluster the runner used: every shown command must carry the target's KUBECONFIG (and the
 * sandbox's own kubectl, first on PATH).
 */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-pasteable-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// A sandbox-like target with awkward characters in both paths (a space and a quote).
const binDir = path.join(tmp, "sandbox's bin");
const kubeconfig = path.join(tmp, 'sandbox dir', 'kubeconfig');
const target = { kubeconfig, binDir };
const calls = path.join(tmp, 'calls.log');
fs.mkdirSync(binDir, { recursive: true });
// The "sandbox kubectl": records which binary ran with which KUBECONFIG, and passes stdin through (pipelines).
fs.writeFileSync(
  path.join(binDir, 'kubectl'),
  `#!/bin/sh\necho "sandbox-kubectl KUBECONFIG=$KUBECONFIG $*" >> ${JSON.stringify(calls)}\necho "strictARP: false"\ncase "$*" in *"-f -"*) cat >/dev/null;; esac\n`,
  { mode: 0o755 },
);

/** Pastes `text` into a user's bash: another folder, their own KUBECONFIG, no sandbox kubectl on PATH. */
function paste(text: string) {
  fs.rmSync(calls, { force: true });
  const r = spawnSync('bash', ['-c', `${text}\necho "after: KUBECONFIG=$KUBECONFIG"`], {
    cwd: os.tmpdir(),
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', KUBECONFIG: '/home/user/.kube/config' },
  });
  return { ...r, calls: fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n') : [] };
}

describe("pasteable: a page block as a person runs it against the runner's target", () => {
  it('puts KUBECONFIG and the sandbox kubectl in front of a one-line command, quoted', () => {
    const text = pasteable('kubectl get svc -n kubeflow ', target);
    expect(text).toBe(
      `KUBECONFIG='${kubeconfig}' PATH='${binDir.replace(/'/g, `'\\''`)}':"$PATH" kubectl get svc -n kubeflow`,
    );
    const r = paste(text);
    expect(r.calls).toEqual([`sandbox-kubectl KUBECONFIG=${kubeconfig} get svc -n kubeflow`]);
    expect(r.stdout, "the user's shell keeps its own KUBECONFIG").toContain(
      'after: KUBECONFIG=/home/user/.kube/config',
    );
  });

  it("gives every command of a multi-line pipeline the target, not only the first (the page's strictARP block)", () => {
    const block =
      '# actually apply the changes, returns nonzero returncode on errors only\nkubectl get configmap kube-proxy -n kube-system -o yaml | \\\nsed -e "s/strictARP: false/strictARP: true/" | \\\nkubectl apply -f - -n kube-system';
    const text = pasteable(block, target);
    expect(text).toContain(block);
    const r = paste(text);
    expect(r.status).toBe(0);
    // The two sides of a pipe run at once: which one logs first is up to the scheduler.
    expect([...r.calls].sort()).toEqual([
      `sandbox-kubectl KUBECONFIG=${kubeconfig} apply -f - -n kube-system`,
      `sandbox-kubectl KUBECONFIG=${kubeconfig} get configmap kube-proxy -n kube-system -o yaml`,
    ]);
    expect(r.stdout).toContain('after: KUBECONFIG=/home/user/.kube/config');
  });

  it('without a sandbox kubectl (a --context target) names only the kubeconfig', () => {
    expect(pasteable('kubectl get pod -n metallb-system', { kubeconfig: '/k/config', binDir: undefined })).toBe(
      'KUBECONFIG=/k/config kubectl get pod -n metallb-system',
    );
  });
});

const failed: StepReport = {
  id: 'istio/get-after',
  title: '서비스 확인',
  kind: 'run',
  status: 'failed',
  durationMs: 10,
  line: 275,
  command: 'kubectl get svc/istio-ingressgateway -n istio-system',
  blockHashes: {},
  ruleHash: '0123456789abcdef',
  problems: ['istio-ingressgateway 행의 EXTERNAL-IP: 기대 "192.168.35.100", 실제 "<pending>"'],
  notes: [],
  diagnostics: 'x',
};

describe('what a failed step prints', () => {
  it('shows the command with its target and the folder it ran in', () => {
    const text = explain(failed, 'src/content/docs/appendix/metallb.md', undefined, {
      target,
      workDir: '/work/runs/metallb',
    });
    expect(text).toContain(`$ KUBECONFIG='${kubeconfig}' PATH=`);
    expect(text).toContain(':"$PATH" kubectl get svc/istio-ingressgateway -n istio-system');
    expect(text).toContain('(작업 폴더: /work/runs/metallb)');
    expect(text).not.toMatch(/\$ kubectl/);
  });

  it('diagnostics name the target in every command they show', async () => {
    const ctx = {
      binding: { runbook: { versions: [], logs: [] } },
      target: { ...target, sandbox: undefined },
      env: { PATH: `${binDir}:/usr/bin:/bin`, KUBECONFIG: kubeconfig },
      workDir: tmp,
      redactor: new Redactor(),
      signal: new AbortController().signal,
      health: async () => ({ ok: true }),
    } as unknown as RunContext;
    const text = await diagnose(ctx, 'kubectl get svc/istio-ingressgateway -n istio-system', '');
    const shown = text.split('\n').filter((l) => l.startsWith('$ '));
    expect(shown).toHaveLength(2);
    for (const line of shown)
      expect(line).toMatch(
        new RegExp(
          `^\\$ KUBECONFIG='${kubeconfig.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' PATH=.* kubectl (describe|get events) `,
        ),
      );
  });

  it('JUnit shows the command with its target too', () => {
    const report = {
      schemaVersion: 3,
      runbook: 'metallb',
      page: 'p.md',
      provider: 'kwok',
      kubernetes: 'v1.37.0',
      components: {},
      context: 'kwok-vdocs',
      startedAt: '',
      finishedAt: '',
      status: 'failed',
      source: { dirty: false },
      fingerprints: { code: { 'scripts/runbook.ts': '0123456789abcdef' }, runbook: {} },
      seeded: [],
      steps: [failed],
      logs: {},
    } satisfies RunReport;
    const xml = toJUnit(report, target);
    expect(xml).toContain(`$ KUBECONFIG='${kubeconfig}' PATH=`);
    expect(xml).not.toContain('$ kubectl');
  });
});

describe('the dry-run plan', () => {
  it('shows each page command with the target it will run against', async () => {
    const runbook = await loadRunbook('metallb');
    const binding = bind(runbook, readPage(runbook.page, projectRoot));
    const sandbox = {
      provider: 'kwok',
      context: 'kwok-vdocs',
      server: 'https://127.0.0.1:6443',
      ...target,
      sandbox: { name: 'vdocs' },
    } as unknown as Target;
    const plan = renderPlan(binding, sandbox, createMirror(undefined), new Set(binding.steps.map((b) => b.step.id)));
    const shown = plan.split('\n').filter((l) => l.trimStart().startsWith('$ '));
    expect(shown.length).toBeGreaterThan(10);
    for (const line of shown) expect(line.trimStart()).toMatch(/^\$ (\(export )?KUBECONFIG='/);
  });
});
