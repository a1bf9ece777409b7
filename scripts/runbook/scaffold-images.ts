import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { ImageBuild, Runbook, Step } from '../model/runbook.ts';
import { mirrorFile, urlsIn } from './mirror.ts';

/**
 * A scaffolded runbook's inputs: the images of the manifests its commands apply (`kubectl apply -f URL|FILE`, through
 * the mirror) with another runbook's build, and the remote files they read, pinned as another runbook or the mirror's copy.
 * What has neither is named in a TODO (a run fails an unpinned URL, naming the sha256 it got).
 */
const APPLY = /kubectl\s+apply\s+(?:[^\n]*\s)?-f\s+(\S+)/g;

/** Container images of every pod template (and pod) in a manifest's documents. */
function manifestImages(text: string): string[] {
  const out: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
        for (const c of value) if (typeof c?.image === 'string') out.push(c.image);
      } else visit(value);
    }
  };
  for (const doc of YAML.parseAllDocuments(text)) visit(doc.toJS());
  return out;
}

export function scaffoldInputs(
  steps: readonly Step[],
  commands: ReadonlyMap<string, string>,
  mirror: string | undefined,
  known: readonly Runbook[],
  cwd: string,
): { images: ImageBuild[]; undeclared: string[]; pins: Record<string, string>; unpinned: string[] } {
  const codes = steps.flatMap((s) => (s.kind === 'run' ? [commands.get(s.id) ?? ''] : []));
  const local = (url: string) => (mirror ? mirrorFile(mirror, url) : undefined);
  const used = new Set<string>();
  for (const m of codes.flatMap((code) => [...code.matchAll(APPLY)])) {
    const file = /^https?:\/\//.test(m[1]!) ? local(m[1]!) : path.resolve(cwd, m[1]!);
    if (file && fs.existsSync(file)) for (const image of manifestImages(fs.readFileSync(file, 'utf8'))) used.add(image);
  }
  const declared = new Map(known.flatMap((r) => r.images ?? []).map((i) => [i.image, i]));
  const pinOf = (url: string) => {
    const copy = local(url);
    return (
      known.find((r) => r.pins?.[url])?.pins?.[url] ??
      (copy && fs.existsSync(copy)
        ? crypto.createHash('sha256').update(fs.readFileSync(copy)).digest('hex')
        : undefined)
    );
  };
  const urls = [...new Set(codes.flatMap(urlsIn))].map((url) => [url, pinOf(url)] as const);
  return {
    images: [...used].flatMap((name) => declared.get(name) ?? []),
    undeclared: [...used].filter((name) => !declared.has(name)),
    pins: Object.fromEntries(urls.flatMap(([url, pin]) => (pin ? [[url, pin]] : []))),
    unpinned: urls.flatMap(([url, pin]) => (pin ? [] : [url])),
  };
}
