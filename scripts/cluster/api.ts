import fs from 'node:fs';
import { Health, KubeConfig, VersionApi, Watch } from '@kubernetes/client-node';
import { parse } from 'yaml';

/** Loads the project kubeconfig (never the user's default). */
export function loadKubeConfig(file: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

/** The server URL of a context in a kubeconfig file, read without contacting anything. */
export function serverOf(kubeconfigFile: string, context: string): string | undefined {
  const doc = parse(fs.readFileSync(kubeconfigFile, 'utf8')) as {
    contexts?: Array<{ name: string; context: { cluster: string } }>;
    clusters?: Array<{ name: string; cluster: { server: string } }>;
  };
  const ctx = doc.contexts?.find((c) => c.name === context);
  return doc.clusters?.find((c) => c.name === ctx?.context.cluster)?.cluster.server;
}

/** `kubectl get --raw /readyz`, bounded: true, false (answered not ready) or false on no answer. */
export async function apiReady(kc: KubeConfig, timeoutMs = 3000): Promise<boolean> {
  try {
    return await new Health(kc).readyz({ signal: AbortSignal.timeout(timeoutMs) } as never);
  } catch {
    return false;
  }
}

/** `kubectl version -o json` → serverVersion.gitVersion. */
export const serverVersion = async (kc: KubeConfig): Promise<string> =>
  (await kc.makeApiClient(VersionApi).getCode()).gitVersion;

/**
 * Waits (with a watch, not polling) until an object exists, like `kubectl wait --for=create`.
 * `collection` is the list path (`/api/v1/namespaces/default/serviceaccounts`). Resolves false on timeout.
 */
export function waitForObject(kc: KubeConfig, collection: string, name: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    let watch: AbortController | undefined;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      watch?.abort();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    // A watch that ended (the server closed it, or it was not yet possible) is opened again until the deadline.
    const again = () => settled || setTimeout(start, 500);
    const seen = (phase: string) => (phase === 'ADDED' || phase === 'MODIFIED') && finish(true);
    const start = () =>
      new Watch(kc).watch(collection, { fieldSelector: `metadata.name=${name}` }, seen, again).then((c) => {
        watch = c;
        if (settled) c.abort();
      }, again);
    start();
  });
}
