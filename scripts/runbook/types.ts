import type { LinesRule } from './match/lines.ts';
import type { TableRule } from './match/table.ts';

/**
 * The vocabulary of a runbook. A runbook lists steps in page order; each step binds to a fenced
 * block (or a figure, for manual checks) by its step id, and adds types, bindings and matching
 * rules. It never holds command text: that is read from the page.
 */

/** A bounded wait, shown to people as "최대 N분". */
export type Duration = `${number}s` | `${number}m`;

/** How a documented output is compared with what the cluster printed. */
export type OutputRule = TableRule | LinesRule;

interface StepBase {
  /** The step id of the page block (or figure) this step executes. */
  id: string;
  /** Short Korean title shown in progress lines and reports. */
  title: string;
}

/** Run a command block as written, then compare its output with the page's output block. */
export interface RunStep extends StepBase {
  kind: 'run';
  /** The page's documented output for this command. */
  output?: OutputRule;
  /** Exit code the page implies (default 0). */
  exitCode?: number;
  /** Whether the command changes the cluster (listed in the safety plan). */
  writes?: boolean;
  /**
   * The page says to wait for this state ("Running 이 될 때까지 기다리세요"): re-run on every
   * change of the watched objects until the output matches, at most `within`.
   */
  eventually?: { within: Duration };
  /**
   * The page's conditional: when the output does not match but holds `line`, the state the
   * page wanted is already there: pass, and skip the listed steps.
   */
  alreadyDone?: { line: string; skip: string[]; because: string };
  /** After the command, re-run another command block and require a line in its output. */
  confirm?: { step: string; line: string };
  /**
   * Marks what this command prints as secret: every match's first group (or the whole match) is
   * redacted from then on, in the console, the report, JUnit and the logs kept with the report.
   */
  secret?: RegExp;
  /**
   * Known drift between the page and newer Kubernetes that the page itself declares
   * (an aside with its own output block): from that version on, expect this instead.
   */
  drift?: { since: string; output: OutputRule; exitCode: number; because: string };
}

/** Write a file block (fence meta `title="name"`) into the run's working folder. */
export interface FileStep extends StepBase {
  kind: 'file';
}

/**
 * Run a `kubectl edit` command block with a non-interactive editor that applies exactly the
 * lines the page marks as changed (`ins={..}` on the spec block) and nothing else.
 */
export interface EditStep extends StepBase {
  kind: 'edit';
  /** The block showing the edited object, whose `ins` lines are the change. */
  spec: string;
  /** Wait for the edited object to match the page afterwards (by the next run step). */
  writes?: true;
}

/** Something a machine must not or cannot do (open a browser on the documented IP). */
export interface ManualStep extends StepBase {
  kind: 'manual';
}

export type Step = RunStep | FileStep | EditStep | ManualStep;
export type StepKind = Step['kind'];

/**
 * A stand-in for something the page takes from earlier chapters (a Service installed by
 * Kubeflow, say). Created from the page's own edit block when absent, and reported as a stand-in.
 */
export interface ServiceFixture {
  kind: 'service';
  /** The `kubectl edit svc/NAME -n NAMESPACE` block that names the object. */
  edit: string;
  /** The block showing the object (its marked lines removed gives the state before the edit). */
  spec: string;
  /** The first step that needs the state before the edit; a run that includes it resets the stand-in. */
  resetWith: string;
}

export type Fixture = ServiceFixture;

/** A version the report records, read from the cluster (e.g. the image tag of a Deployment). */
export interface ComponentVersion {
  name: string;
  namespace: string;
  deployment: string;
}

export interface Runbook {
  /** Name used on the command line (`npm run runbook -- metallb`). */
  name: string;
  /** The page this runbook executes, relative to the project root. */
  page: string;
  fixtures: Fixture[];
  steps: Step[];
  /** Versions to record in the report (the site's badge shows them). */
  versions?: ComponentVersion[];
  /** Sandbox logs (by name) to show on failures and keep with the report, e.g. `metallb-controller`. */
  logs?: string[];
}
