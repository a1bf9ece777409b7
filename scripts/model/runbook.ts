/** The vocabulary of a runbook: steps in page order, each bound to a block (or a figure) by its step id. Never command text. */

/** Column-by-column comparison of a `kubectl get` table: rows paired by the `key` column (usually NAME), other columns exact unless declared. */
export interface TableRule {
  kind: 'table';
  /** Output block id on the page. */
  block: string;
  key: string;
  /** `generated-suffix`: pod names without the suffixes Kubernetes generates (`speaker-fnf8l` → `speaker`). */
  keyMatch: 'exact' | 'generated-suffix';
  /** Columns whose values differ from cluster to cluster (AGE, RESTARTS, CLUSTER-IP). */
  volatile: readonly string[];
  /** Columns of service ports: `80:31191/TCP` is compared as `80/TCP` (node ports are allocated at random). */
  ports?: readonly string[];
  /** Rows per key: as on the page (default), or one per node a DaemonSet's pods tolerate (read when compared). */
  rows?: Record<string, 'as-page' | OnePerNode>;
}

/** A key with one row per node that the named DaemonSet places a pod on. */
export interface OnePerNode {
  onePerNodeOf: { namespace: string; daemonSet: string };
}

export type LinesMode = 'exact' | 'contains';

/** Line-by-line comparison of a text output, stdout and stderr apart, lines trimmed (grep keeps YAML indentation). */
export interface LinesRule {
  kind: 'lines';
  block: string;
  /** `exact`: exactly the page's lines, in order; `contains`: every page line appears, other lines are noted (`grep strictARP` after an apply). */
  mode: LinesMode;
  /** Per-stream override of `mode` (e.g. stderr exact while stdout may hold more lines). */
  streams?: { stdout?: LinesMode; stderr?: LinesMode };
  /** Page lines matching this pattern are expected on stderr (kubectl prints `Warning:` there); the rest on stdout. */
  stderr?: RegExp;
  /** Treat `kubectl apply` results `created`, `configured` and `unchanged` as the same (a re-run reports `unchanged`). */
  applyVerbs?: boolean;
  /** Parts of lines that differ from run to run (helm's `LAST DEPLOYED:`, an age): uncompared on both sides. */
  volatile?: RegExp;
}

/** A bounded wait, shown to people as "최대 N분". */
export type Duration = `${number}s` | `${number}m`;

/** How a documented output is compared with what the cluster printed. */
export type OutputRule = TableRule | LinesRule;

interface StepBase {
  /** The step id of the page block (or figure) this step executes. */
  id: string;
  /** Short Korean title for progress lines and reports. */
  title: string;
}

/** Run a command block as written, then compare its output with the page's output block. */
export interface RunStep extends StepBase {
  kind: 'run';
  output?: OutputRule;
  /** Exit code the page implies (default 0). */
  exitCode?: number;
  /** Whether the command changes the cluster (listed in the safety plan). */
  writes?: boolean;
  /** The page says to wait ("Running 이 될 때까지"): re-run on every change of the watched objects until it matches, at most `within`. */
  eventually?: { within: Duration };
  /** The page's conditional: an output that does not match but holds `line` means the state is already there: pass, skip `skip`. */
  alreadyDone?: { line: string; skip: string[]; because: string };
  /** Afterwards, another step's state must hold `line`: read through the API when it declares its `object`, else by running it again. */
  confirm?: { step: string; line: string };
  /** What the command prints that is secret: each match's first group (or the whole match) is redacted from then on, everywhere. */
  secret?: RegExp;
  /** Drift with newer Kubernetes that the page itself declares (an aside with its own output block). */
  drift?: Drift;
  /** A fact the page states about an object, read through the API beside the text check; both must agree. */
  object?: ObjectRule;
  /**
   * A command that keeps running (`kubectl port-forward`) in its own process group for the steps after it: ready when `port`
   * on 127.0.0.1 answers (else at its first output line), stopped with its group at the end of the run.
   */
  background?: { port?: number; within?: Duration };
}

/** What a newer Kubernetes prints instead of the page's main output, as the page itself declares it. */
export interface Drift {
  /** First Kubernetes minor (`1.25`) the drift applies to. */
  since: string;
  /** The aside's own output block (for example the errors kubectl prints on that version). */
  output: LinesRule;
  /** Lines of the main output this version no longer prints; the rest is expected on stdout too. */
  withoutLines?: RegExp;
  exitCode: number;
  because: string;
}

/** Object checks: the object is named by the step's command, the expected value comes from the page's output block. */
export type ObjectRule =
  /** The Service's `spec.type` is the row's TYPE, and `status.loadBalancer.ingress[0].ip` its EXTERNAL-IP (none for `<none>`). */
  | { kind: 'service' }
  /** Each documented row's pods are in phase Running with as many ready containers as READY says (`1/1`). */
  | { kind: 'pods' }
  /** `data[key]` of the ConfigMap parsed as YAML holds at `field` (dot path) the value of the accepted `name: value` line. */
  | { kind: 'config'; key: string; field: string };

/** Write a file block (fence meta `title="name"`) into the run's working folder. */
export interface FileStep extends StepBase {
  kind: 'file';
}

/** Run a `kubectl edit` block with an editor that applies exactly the lines the page marks (`ins={..}` on the spec block). */
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

/** A stand-in for a Service the page takes from earlier chapters, made from the page's own edit block when absent. */
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

/**
 * A component whose logs matter to the page, read through the API on every provider (`kubectl logs -n NAMESPACE -l SELECTOR
 * --all-containers`): the last lines under a failed step, and at the end of the run as `<report>.logs/<name>.log`.
 */
export interface ComponentLogs {
  /** `metallb-controller` */
  name: string;
  namespace: string;
  /** Equality-based: `app=metallb,component=controller`. */
  selector: string;
}

/**
 * An image the page's manifests name, built from its tagged source instead of pulled: the provider makes it runnable its
 * own way (kwok: a binary the small kubelet runs; pods: an OCI image in containerd; kind: nothing, it pulls).
 */
export interface ImageBuild {
  /** Exactly as the manifests write it: `quay.io/metallb/controller:v0.11.0`. */
  image: string;
  /** `MetalLB controller` */
  title: string;
  /** Go module and version holding the command: `go.universe.tf/metallb`, `v0.11.0`. */
  module: string;
  version: string;
  /** The command's package: `go.universe.tf/metallb/controller`; its last element names the binary. */
  package: string;
  /** Where the binary sits in the image and runs from (upstream's Dockerfile): `/controller`. */
  entrypoint: string;
  /** Requires raised above the module's own pins because those no longer build (module → version). */
  bumps?: Record<string, string>;
  /** On simulated nodes (kwok), run its pods anyway as local processes with the pod's token (`--kubeconfig`, `--port`, `--namespace` set). */
  runOnSimulatedNodes?: boolean;
}

export interface Runbook {
  /** As on the command line (`npm run runbook -- metallb`). */
  name: string;
  /** Relative to the project root. */
  page: string;
  fixtures: Fixture[];
  steps: Step[];
  /** Versions to record in the report (the site's badge shows them). */
  versions?: ComponentVersion[];
  /** Components whose logs to show on failures and keep with the report. */
  logs?: ComponentLogs[];
  /** Images the page's manifests use that the project builds from source (see ImageBuild). */
  images?: ImageBuild[];
  /** The sha256 of every remote file the commands read, by URL; a file without a pin, or with other bytes, fails the step. */
  pins?: Record<string, string>;
  /** `runningPods`: the page's pods must really run (a webhook, say); the Korean reason is shown when a provider that simulates pods is refused. */
  needs?: { runningPods?: string };
}
