import type { V1Container, V1Pod } from '@kubernetes/client-node';

/**
 * How a container of a pod becomes a local process: the pod's args and env, adapted the way the
 * notes describe for MetalLB's controller outside a cluster.
 */
interface LocalCommand {
  args: string[];
  env: Record<string, string>;
  /** Env entries we could not resolve (valueFrom of secrets/configmaps/resources), for the log. */
  skippedEnv: string[];
}

interface AdaptOptions {
  /** kubeconfig holding a token of the pod's ServiceAccount (the in-cluster config stand-in). */
  kubeconfig: string;
  /** A free local port replacing the container's metrics port (`--port`). */
  port: number;
}

/** `--flag`, `-flag`, `--flag=…` or `-flag=…` (group 1: `=` when the value is attached). */
const flagPattern = (flag: string) => new RegExp(`^--?${flag}(=|$)`);

/** Replaces `--flag=value` / `--flag value` or appends it. */
function setFlag(args: string[], flag: string, value: string): string[] {
  const re = flagPattern(flag);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const m = re.exec(args[i]!);
    out.push(m ? `--${flag}=${value}` : args[i]!);
    if (m && !m[1]) i++; // skip its value
  }
  return args.some((a) => re.test(a)) ? out : [...out, `--${flag}=${value}`];
}

/** The downward-API fields a kubelet resolves (metadata.name/namespace, spec.nodeName, …). */
const FIELD_REFS: Record<string, (pod: V1Pod) => string | undefined> = {
  'metadata.name': (pod) => pod.metadata?.name,
  'metadata.namespace': (pod) => pod.metadata?.namespace,
  'metadata.uid': (pod) => pod.metadata?.uid,
  'spec.nodeName': (pod) => pod.spec?.nodeName,
  'spec.serviceAccountName': (pod) => pod.spec?.serviceAccountName,
  'status.podIP': (pod) => pod.status?.podIP,
  'status.hostIP': (pod) => pod.status?.hostIP,
};

export function adaptContainer(pod: V1Pod, container: V1Container, opts: AdaptOptions): LocalCommand {
  // The image's entrypoint is the binary; `command` would replace it, `args` are its arguments.
  let args = [...(container.command?.slice(1) ?? []), ...(container.args ?? [])];
  args = setFlag(args, 'port', String(opts.port));
  args = setFlag(args, 'kubeconfig', opts.kubeconfig);
  if (!args.some((a) => flagPattern('namespace').test(a)) && pod.metadata?.namespace)
    args.push(`--namespace=${pod.metadata.namespace}`);
  const env: Record<string, string> = {};
  const skippedEnv: string[] = [];
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef) {
      const v = FIELD_REFS[e.valueFrom.fieldRef.fieldPath]?.(pod);
      if (v !== undefined) env[e.name] = v;
      else skippedEnv.push(e.name);
    } else skippedEnv.push(e.name);
  }
  return { args, env, skippedEnv };
}

/** The first container whose image we can run locally, with its binary. */
export function runnableContainer(
  pod: V1Pod,
  images: Record<string, string>,
): { container: V1Container; binary: string } | undefined {
  for (const container of pod.spec?.containers ?? []) {
    const binary = container.image ? images[container.image] : undefined;
    if (binary) return { container, binary };
  }
  return undefined;
}

/** A pod we should be running: bound to a node, not being deleted, not finished. */
export function wantsRunning(pod: V1Pod): boolean {
  if (!pod.spec?.nodeName || pod.metadata?.deletionTimestamp) return false;
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}
