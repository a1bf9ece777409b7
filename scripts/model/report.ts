import fs from 'node:fs';
import { z } from 'zod';

/**
 * The JSON report of one runbook run, written by the runner, validated on write and on read, judged only
 * through the verdict (verdict.ts). Every fingerprint is required: a report that cannot say what it checked cannot earn a ✓.
 */

/** A 16-hex-digit sha256 prefix (see `fingerprint()`). */
const Hash = z.string().regex(/^[0-9a-f]{16}$/, { error: '지문(fingerprint)은 16자리 16진수여야 합니다.' });

/** A full sha256, 64 hex digits (a remote file's pin and what was served). */
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'sha256 은 64자리 16진수여야 합니다.' });

/** Why a step did not run. Only `condition` (the page's own "if already done, skip") keeps a run whole. */
export const SkipCause = z.enum(['condition', 'selection', 'earlier-failure', 'interrupted']);
export type SkipCause = z.infer<typeof SkipCause>;

/** A fact about a cluster object the page states, read through the API beside the text check. */
export const ObjectCheck = z.object({
  /** What was read, as a person would say it: `Service istio-system/istio-ingressgateway status.loadBalancer.ingress[0].ip`. */
  what: z.string(),
  /** The page's value (from its output or edit block) and the API server's. */
  expected: z.string(),
  actual: z.string(),
  ok: z.boolean(),
});
export type ObjectCheck = z.infer<typeof ObjectCheck>;

const named = { namespace: z.string(), name: z.string(), found: z.boolean() };

/**
 * What the API returned for a step's object check: the evidence the verdict compares with the
 * page again (scripts/runbook/objects.ts `compareObject`). `data` is the ConfigMap key's raw text.
 */
export const ObjectReading = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('service'), ...named, type: z.string().optional(), ip: z.string().optional() }),
  z.object({
    kind: z.literal('pods'),
    namespace: z.string(),
    pods: z.array(z.object({ name: z.string(), phase: z.string(), ready: z.string() })),
  }),
  z.object({ kind: z.literal('config'), ...named, data: z.string().optional() }),
  /** The API server did not answer the read. */
  z.object({ kind: z.literal('error'), what: z.string(), error: z.string() }),
]);
export type ObjectReading = z.infer<typeof ObjectReading>;

/** A remote file a command read: where from, its pin at the time, and the sha256 of what was served. */
export const Fetched = z.object({
  url: z.string(),
  /** The runbook's pin for the URL when the step ran (a changed pin makes the step stale). */
  pin: Sha256.optional(),
  /** Of the bytes served, by the offline mirror (RUNBOOK_MIRROR) or the URL itself. */
  sha256: Sha256,
  source: z.enum(['mirror', 'url']),
});
export type Fetched = z.infer<typeof Fetched>;

export const StepReport = z
  .object({
    id: z.string(),
    title: z.string(),
    kind: z.enum(['run', 'file', 'edit', 'manual', 'fixture']),
    /** passed · failed · skipped (see `skipCause`) · manual (a person must check) · fixture (a stand-in was prepared). */
    status: z.enum(['passed', 'failed', 'skipped', 'manual', 'fixture']),
    skipCause: SkipCause.optional(),
    durationMs: z.number().nonnegative(),
    /** When the step started and finished (ISO 8601, ms precision); the bench reads detection latency from these. */
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    /** The command as the page shows it (for fixtures: what was prepared). */
    command: z.string().optional(),
    line: z.number().int().nonnegative().optional(),
    /** Fingerprints of every block (command, outputs, edit spec) or figure the step read, by id: never none. */
    blockHashes: z.record(z.string(), Hash).refine((h) => Object.keys(h).length > 0, {
      error: '단계가 읽은 블록이 없습니다: blockHashes 는 비어 있을 수 없습니다.',
    }),
    /** Fingerprint of the step's own declaration in the runbook (canonical form): its rules, waits, checks. */
    ruleHash: Hash,
    /** The page's output and the cluster's, on failure or when useful. */
    expected: z.string().optional(),
    actual: z.string().optional(),
    /* Evidence: what the checks read, so the verdict can run them again on the page and runbook now. */
    /** What a run or edit step's command printed (redacted, mirror paths restored); `--update` writes it into the page. */
    streams: z.object({ stdout: z.string(), stderr: z.string() }).optional(),
    /** What the API returned for the step's object check (its last attempt). */
    readings: z.array(ObjectReading).optional(),
    /** For a table with one row per node: how many nodes each key's DaemonSet places a pod on, as read. */
    nodes: z.record(z.string(), z.number().int().nonnegative()).optional(),
    /** After the command, the state another step reads (`confirm`): its object read through the API, or its command's stdout. */
    confirm: z.object({ readings: z.array(ObjectReading).optional(), stdout: z.string().optional() }).optional(),
    /** Remote files the command read, each checked against its pin before use. */
    fetched: z.array(Fetched).optional(),
    /** For a file step: what was written (the name and the fingerprint of the bytes). */
    written: z.object({ file: z.string(), hash: Hash }).optional(),
    /** For a fixture: whether the runner made the stand-in (`created`, `reset`, `kept`) or the cluster had the real object (`existing`). */
    fixture: z.enum(['created', 'reset', 'kept', 'existing']).optional(),
    /** The checks the runner made of objects (for people; the verdict recomputes them from `readings`). */
    objects: z.array(ObjectCheck).optional(),
    /**
     * For a browser step checked for real (the pods provider): the documented address answered from
     * another host on the page's network, and Chromium's screenshot of it (path relative to the report).
     */
    browser: z
      .object({
        url: z.string(),
        status: z.number().int(),
        title: z.string(),
        screenshot: z.string(),
        proven: z.string(),
        simulated: z.string(),
      })
      .optional(),
    /** For edit steps, each field: on the page (the marked line), before the edit (`(없음)` when absent), read back after. */
    changes: z
      .array(z.object({ field: z.string(), documented: z.string(), before: z.string(), after: z.string() }))
      .optional(),
    problems: z.array(z.string()).default([]),
    /** Accepted differences and explanations (volatile columns, declared drift, skip reasons). */
    notes: z.array(z.string()).default([]),
    /** What a person would look at next: describe, events, controller log. */
    diagnostics: z.string().optional(),
    /** Why the step was skipped, or what to check by hand. */
    reason: z.string().optional(),
    exitCode: z.number().int().nullable().optional(),
    /** How many times an eventual step re-ran its command before it matched (or gave up). */
    attempts: z.number().int().positive().optional(),
    /** When the attempt whose output the step reports started its command (a wait: how soon the runner reacted). */
    lastAttemptAt: z.string().optional(),
  })
  .refine((s) => s.status !== 'skipped' || s.skipCause !== undefined, {
    error: '건너뛴 단계에는 skipCause 가 있어야 합니다.',
    path: ['skipCause'],
  });
export type StepReport = z.infer<typeof StepReport>;

export const RunReport = z.object({
  schemaVersion: z.literal(3),
  runbook: z.string(),
  /** Relative to the project root. */
  page: z.string(),
  /** Where the cluster came from: kwok, kind, pods (a real kubelet and runtime here), or `context` for a cluster the user named. */
  provider: z.enum(['kwok', 'kind', 'pods', 'context']),
  /** The API server's gitVersion. */
  kubernetes: z.string(),
  /** Other versions read from the cluster (e.g. MetalLB controller image tag). */
  components: z.record(z.string(), z.string()).default({}),
  context: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** What the runner saw (`runStatus` in verdict.ts); the site never shows it alone. */
  status: z.enum(['passed', 'failed', 'partial', 'interrupted']),
  simulation: z.object({ simulated: z.array(z.string()), real: z.array(z.string()) }).optional(),
  /** The runbooks run before this one on the same cluster, in order (`continuesFrom`, followed back). */
  continuesFrom: z.array(z.string()).optional(),
  /** `commit`: HEAD when the run started (none outside git); `dirty`: uncommitted changes in the tracked tree, or no git; `ci`: the CI run's URL. */
  source: z.object({ commit: z.string().optional(), dirty: z.boolean(), ci: z.string().optional() }),
  /** What decides outcomes beyond the page and the rules: `codeFingerprint` (path → hash) and `runbookFields` (field → hash). */
  fingerprints: z.object({
    code: z.record(z.string(), Hash).refine((h) => Object.keys(h).length > 0, { error: '코드 지문이 비어 있습니다.' }),
    runbook: z.record(z.string(), Hash),
  }),
  /** Objects the provider made itself (the kube-proxy ConfigMap), with why a step reading them proves nothing about a real cluster. */
  seeded: z.array(z.object({ kind: z.string(), namespace: z.string(), name: z.string(), why: z.string() })),
  steps: z.array(StepReport),
  /** The runbook's component logs read at the end of the run: name → `<report>.logs/<name>.log`. */
  logs: z.record(z.string(), z.string()).default({}),
});
export type RunReport = z.infer<typeof RunReport>;

/** Reads and validates a report file (throws zod's error with the field paths). */
export function readReport(file: string): RunReport {
  return RunReport.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}
