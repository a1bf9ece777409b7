/**
 * The vocabulary of a runbook. A runbook lists steps in page order; each step binds to a fenced
 * block (or a figure, for manual checks) by its step id, and adds types, bindings and matching
 * rules. It never holds command text: that is read from the page.
 */

/**
 * Column-by-column comparison of a `kubectl get` table.
 * Rows are paired by the key column; the rest of the columns are exact unless declared otherwise.
 */
export interface TableRule {
  kind: 'table';
  /** Output block id on the page. */
  block: string;
  /** Column that identifies a row (usually NAME). */
  key: string;
  /**
   * `exact`: the key is compared as written.
   * `generated-suffix`: pod names are compared without the suffixes Kubernetes generates
   * (`controller-7dcc8764f4-8n92q` → `controller`, `speaker-fnf8l` → `speaker`).
   */
  keyMatch: 'exact' | 'generated-suffix';
  /** Columns whose values differ from cluster to cluster (AGE, RESTARTS, CLUSTER-IP). */
  volatile: readonly string[];
  /** Columns of service ports: `80:31191/TCP` is compared as `80/TCP` (node ports are allocated at random). */
  ports?: readonly string[];
  /**
   * How many rows each key should have: as on the page (default), or one per node a DaemonSet's pods
   * can run on (its tolerations against the nodes' taints, read when the output is compared).
   */
  rows?: Record<string, 'as-page' | OnePerNode>;
}

/** A key with one row per node that the named DaemonSet places a pod on. */
export interface OnePerNode {
  onePerNodeOf: { namespace: string; daemonSet: string };
}

export type LinesMode = 'exact' | 'contains';

/**
 * Line-by-line comparison of a text output, with stdout and stderr told apart.
 * Lines are compared with surrounding whitespace trimmed (grep keeps YAML indentation).
 */
export interface LinesRule {
  kind: 'lines';
  /** Output block id on the page. */
  block: string;
  /**
   * `exact`: the stream holds exactly the page's lines, in order.
   * `contains`: every page line appears; other lines are allowed and noted
   * (e.g. `grep strictARP` also prints the last-applied annotation after an apply).
   */
  mode: LinesMode;
  /** Per-stream override of `mode` (e.g. stderr exact while stdout may hold more lines). */
  streams?: { stdout?: LinesMode; stderr?: LinesMode };
  /** Page lines matching this pattern are expected on stderr (kubectl prints `Warning:` there); the rest on stdout. */
  stderr?: RegExp;
  /** Treat `kubectl apply` results `created`, `configured` and `unchanged` as the same (a re-run reports `unchanged`). */
  applyVerbs?: boolean;
  /**
   * Parts of lines that differ from run to run (helm's `LAST DEPLOYED:` time, an age, a generated
   * pod-name suffix): every match is left uncompared, on the page's line and the printed one alike.
   */
  volatile?: RegExp;
}

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
  /**
   * After the command, the state another step's command shows must hold `line`: read through the
   * API when that step declares the object it reads (`object`), else by running its command again.
   */
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
  drift?: Drift;
  /**
   * A fact the page states about an object, read through the API beside the text check
   * (the step passes only when both agree). The expected value always comes from the page.
   */
  object?: ObjectRule;
  /**
   * A command that keeps running (`kubectl port-forward`, `logs -f`): started in its own process
   * group, ready when `port` on 127.0.0.1 answers (else at its first output line), kept running for
   * the steps after it (which use its address), stopped with its whole group at the end of the run.
   */
  background?: { port?: number; within?: Duration };
}

/** What a newer Kubernetes prints instead of the page's main output, as the page itself declares it. */
export interface Drift {
  /** First Kubernetes minor (`1.25`) the drift applies to. */
  since: string;
  /** The aside's own output block (for example the errors kubectl prints on that version). */
  output: LinesRule;
  /**
   * Lines of the step's main output block that this version no longer prints (the objects it
   * cannot create). The rest of the main output is expected on stdout too, so stdout is checked.
   */
  withoutLines?: RegExp;
  exitCode: number;
  because: string;
}

/**
 * Object checks. Each names the object by the command it belongs to (`kubectl get svc/NAME -n NS`,
 * `kubectl get pod -n NS`, `kubectl get configmap NAME -n NS`) and takes the expected value from
 * the page's output block, never from the runbook.
 */
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

/**
 * A component whose logs matter to the page (the MetalLB controller, its speakers), named by what it
 * is, not by where a provider keeps its files: its pods are the ones `kubectl logs -n NAMESPACE -l
 * SELECTOR --all-containers` reads. The runner reads them through the API (the same on every
 * provider): the last lines under a failed step, and at the end of the run beside the report as
 * `<report>.logs/<name>.log`.
 */
export interface ComponentLogs {
  /** File name of the kept log (`<name>.log`) and its title in diagnostics: `metallb-controller`. */
  name: string;
  namespace: string;
  /** Equality-based label selector of its pods: `app=metallb,component=controller`. */
  selector: string;
}

/**
 * An image the page's manifests name, which the project builds from its tagged source instead of
 * pulling (nothing is pulled here): the runner hands these to the cluster's provider before the
 * steps, and the provider makes them runnable its own way (kwok: a binary the small kubelet runs
 * for pods of that image; pods: an OCI image imported into containerd; kind: nothing, it pulls).
 * Generic cluster code knows components only through these declarations.
 */
export interface ImageBuild {
  /** Exactly as the manifests write it: `quay.io/metallb/controller:v0.11.0`. */
  image: string;
  /** What it is, for people: `MetalLB controller`. */
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
  /**
   * Where nodes are simulated (kwok), run this image's pods anyway, as a local process with a token
   * of the pod's ServiceAccount (`--kubeconfig`, `--port` and `--namespace` are set for it).
   * Without it such pods only look Running.
   */
  runOnSimulatedNodes?: boolean;
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
  /** Components whose logs to show on failures and keep with the report. */
  logs?: ComponentLogs[];
  /** Images the page's manifests use that the project builds from source (see ImageBuild). */
  images?: ImageBuild[];
  /**
   * The sha256 (64 hex digits) of every remote file the page's commands read, by URL. The mirror's
   * copy and a download are both checked against it before a command sees them; a URL without a
   * pin, or bytes with another sha256, fail the step.
   */
  pins?: Record<string, string>;
  /**
   * What the page needs from the cluster beyond an API server. `runningPods`: its pods must really
   * run (for example the API server calls a validating webhook served by a pod); the reason, in
   * Korean, is shown when a run or `verify` is refused on a provider that only simulates pods.
   */
  needs?: { runningPods?: string };
}
