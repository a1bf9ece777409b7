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

/** Replaces `--flag=value` / `--flag value` or appends it. */
function setFlag(args: string[], flag: string, value: string): string[] {
  const out: string[] = [];
  let found = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${flag}` || a === `-${flag}`) {
      out.push(`--${flag}=${value}`);
      i++; // skip its value
      found = true;
    } else if (a.startsWith(`--${flag}=`) || a.startsWith(`-${flag}=`)) {
      out.push(`--${flag}=${value}`);
      found = true;
    } else out.push(a);
  }
  if (!found) out.push(`--${flag}=${value}`);
  return out;
}

function hasFlag(args: string[], flag: string): boolean {
  return args.some(
    (a) => a === `--${flag}` || a.startsWith(`--${flag}=`) || a === `-${flag}` || a.startsWith(`-${flag}=`),
  );
}

/** Resolves the downward-API fields a kubelet would (metadata.name/namespace, spec.nodeName, …). */
function fieldRef(pod: V1Pod, fieldPath: string): string | undefined {
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name;
    case 'metadata.namespace':
      return pod.metadata?.namespace;
    case 'metadata.uid':
      return pod.metadata?.uid;
    case 'spec.nodeName':
      return pod.spec?.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName;
    case 'status.podIP':
      return pod.status?.podIP;
    case 'status.hostIP':
      return pod.status?.hostIP;
    default:
      return undefined;
  }
}

export function adaptContainer(pod: V1Pod, container: V1Container, opts: AdaptOptions): LocalCommand {
  // The image's entrypoint is the binary; `command` would replace it, `args` are its arguments.
  let args = [...(container.command?.slice(1) ?? []), ...(container.args ?? [])];
  args = setFlag(args, 'port', String(opts.port));
  args = setFlag(args, 'kubeconfig', opts.kubeconfig);
  if (!hasFlag(args, 'namespace') && pod.metadata?.namespace) args.push(`--namespace=${pod.metadata.namespace}`);
  const env: Record<string, string> = {};
  const skippedEnv: string[] = [];
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef) {
      const v = fieldRef(pod, e.valueFrom.fieldRef.fieldPath);
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
