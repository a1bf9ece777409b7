import type { Io } from '../lib/io.ts';
import type { Status } from '../lib/status.ts';
import type { Binding, BoundStep } from './bind.ts';
import type { ApiHealth } from './health.ts';
import type { Kube } from './kube.ts';
import type { Mirror } from './mirror.ts';
import type { Redactor } from './redact.ts';
import type { StepReport } from '../model/report.ts';
import type { Target } from './target.ts';
import type { Step, StepKind } from '../model/runbook.ts';

/** Everything a step handler may use during one run. */
export interface RunContext {
  binding: Binding;
  io: Io;
  status: Status;
  target: Target;
  /** Environment for page commands: KUBECONFIG of the target, the sandbox's kubectl first on PATH. */
  env: Record<string, string | undefined>;
  /** Folder commands run in (files the page writes land here). */
  workDir: string;
  mirror: Mirror;
  redactor: Redactor;
  kube: Kube;
  /** Kubernetes minor version of the server (37 for v1.37.0). */
  minor: number;
  /** Steps a previous step decided to skip (the page's conditional), with the reason. */
  skip: Map<string, string>;
  /** Caps every declared wait (tests use it to fail fast); undefined = as declared. */
  waitLimitMs: number | undefined;
  signal: AbortSignal;
  /** How to stop each background command started so far (port-forwards): the runner calls them all at the end of the run. */
  background: Array<() => Promise<void>>;
  /** The API server's health, asked at most once per step (after a failure). */
  health: () => Promise<ApiHealth>;
}

/** What a handler returns; the runner adds id, title, kind and duration. */
export type Outcome = Omit<
  StepReport,
  'id' | 'title' | 'kind' | 'durationMs' | 'problems' | 'notes' | 'blockHashes' | 'ruleHash'
> & {
  problems?: string[];
  notes?: string[];
  /** A hint printed under a failure. */
  hint?: string;
};

export type Handler<S extends Step> = (bound: BoundStep & { step: S }, ctx: RunContext) => Promise<Outcome>;

/** A handler for every step kind: adding a kind without one is a compile error. */
export type Handlers = { [K in StepKind]: Handler<Extract<Step, { kind: K }>> };

type Duration = `${number}s` | `${number}m`;
/** `3m` → 180000. */
export const durationMs = (d: Duration): number => Number(d.slice(0, -1)) * (d.endsWith('m') ? 60_000 : 1000);
/** `최대 3분`, `최대 30초`, for people. */
export const durationLabel = (d: Duration): string => `최대 ${d.slice(0, -1)}${d.endsWith('m') ? '분' : '초'}`;
