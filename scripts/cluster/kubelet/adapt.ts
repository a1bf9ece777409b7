import type { V1Container, V1Pod } from '@kubernetes/client-node';

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

/**
 * How a container becomes a local process, as the notes describe for MetalLB's controller outside a cluster:
 * `--kubeconfig` holds a token of the pod's ServiceAccount (the in-cluster config's stand-in), `--port` a free
 * local port; env a kubelet resolves from secrets, configmaps or resources is listed in `skippedEnv` for the log.
 */
export function adaptContainer(pod: V1Pod, container: V1Container, opts: { kubeconfig: string; port: number }) {
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
