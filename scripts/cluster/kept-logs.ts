import fs from 'node:fs';
import path from 'node:path';
import { containerLogFiles, LoggedPod, type SandboxState } from './state.ts';
import type { ComponentLogs } from '../model/runbook.ts';
import { matchesSelector, parseSelector } from '../lib/selector.ts';
import { orElse } from './procs.ts';

/**
 * Container logs a provider keeps because the API cannot serve them (kwok's small kubelet), in /var/log/pods
 * layout. The runner reads them only through `KeptLogs`: where the API gave no log, or to find pods by label.
 */
type ProviderLogs = NonNullable<SandboxState['containerLogs']>;

/** What the runner may ask of a provider's kept container logs, without knowing their layout. */
export interface KeptLogs {
  /** Who wrote them, for the header of a kept log: `kwok 샌드박스의 작은 kubelet`. */
  writer: string;
  /** What a pod without logs here means, in one sentence. */
  absent: string;
  /** Pods whose recorded labels match the component's selector, running ones first. */
  pods(component: Pick<ComponentLogs, 'namespace' | 'selector'>): ProviderPod[];
  /** A container's last instance and the one before it, last `lines` lines of each. */
  instances(
    pod: Pick<LoggedPod, 'namespace' | 'name' | 'uid'>,
    container: string,
    lines: number,
  ): { previous: boolean; file: string; text: string }[];
}

export function keptLogs(provider: ProviderLogs | undefined): KeptLogs | undefined {
  if (!provider) return undefined;
  return {
    writer: provider.writer,
    absent: provider.absent,
    pods: (component) => providerPods(provider, component),
    instances: (pod, container, lines) => {
      const files = containerLogFiles(provider.dir, pod);
      let last = -1;
      while (fs.existsSync(files.log(container, last + 1))) last++;
      return [last - 1, last]
        .filter((n) => n >= 0)
        .map((restart) => ({
          previous: restart < last,
          file: files.log(container, restart),
          text: tailFile(files.log(container, restart), lines),
        }));
    },
  };
}

/** A pod found in the provider's files: its record and the containers it has logs for. */
type ProviderPod = LoggedPod & { containers: string[] };

/** Pods of the provider's files whose recorded labels match, running ones first, then by name. */
function providerPods(provider: ProviderLogs, component: Pick<ComponentLogs, 'namespace' | 'selector'>): ProviderPod[] {
  const selector = parseSelector(component.selector);
  if (typeof selector === 'string' || !fs.existsSync(provider.dir)) return [];
  const pods: ProviderPod[] = [];
  for (const entry of fs.readdirSync(provider.dir)) {
    const file = path.join(provider.dir, entry, 'pod.json');
    const record = orElse(() => LoggedPod.parse(JSON.parse(fs.readFileSync(file, 'utf8'))), undefined);
    if (record?.namespace !== component.namespace || !matchesSelector(record.labels, selector)) continue;
    const { folder } = containerLogFiles(provider.dir, record);
    const containers = fs
      .readdirSync(folder, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    pods.push({ ...record, containers });
  }
  return pods.sort(
    (a, b) => Number(a.stoppedAt !== undefined) - Number(b.stoppedAt !== undefined) || a.name.localeCompare(b.name),
  );
}

/** The last `lines` lines of a file, reading at most its last megabyte. */
function tailFile(file: string, lines: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, 1 << 20);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString('utf8').replace(/\n$/, '');
    return text === '' ? '' : text.split('\n').slice(-lines).join('\n');
  } finally {
    fs.closeSync(fd);
  }
}
