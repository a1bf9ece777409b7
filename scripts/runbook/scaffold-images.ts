import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { ImageBuild, Runbook, Step } from '../model/runbook.ts';
import { mirrorFile } from './mirror.ts';

/**
 * The images a scaffolded runbook should declare: every container image in the manifests the
 * page's commands apply (`kubectl apply -f URL|FILE`, read through the mirror like a run would),
 * with the build another runbook of the project already declares for the same image name. An
 * image no runbook declares is named for the author to declare (its Go module cannot be guessed).
 */
interface ScaffoldImages {
  images: ImageBuild[];
  /** Images the manifests use that no runbook declares, for a TODO in the runbook file. */
  undeclared: string[];
}

const APPLY = /kubectl\s+apply\s+(?:[^\n]*\s)?-f\s+(\S+)/g;

/** Container images of every pod template (and pod) in a manifest's documents. */
function manifestImages(text: string): string[] {
  const out: string[] = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (!node || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
          for (const c of value)
            if (c && typeof c === 'object' && typeof (c as { image?: unknown }).image === 'string')
              out.push((c as { image: string }).image);
        } else visit(value);
      }
    };
    visit(doc.toJS());
  }
  return [...new Set(out)];
}

export function scaffoldImages(
  steps: readonly Step[],
  commands: ReadonlyMap<string, string>,
  mirror: string | undefined,
  known: readonly Runbook[],
  cwd: string,
): ScaffoldImages {
  const used: string[] = [];
  for (const s of steps) {
    const code = s.kind === 'run' ? commands.get(s.id) : undefined;
    if (!code) continue;
    for (const m of code.matchAll(APPLY)) {
      const target = m[1]!;
      const file = /^https?:\/\//.test(target)
        ? mirror
          ? mirrorFile(mirror, target)
          : undefined
        : path.resolve(cwd, target);
      if (!file || !fs.existsSync(file)) continue;
      used.push(...manifestImages(fs.readFileSync(file, 'utf8')));
    }
  }
  const declared = new Map(known.flatMap((r) => r.images ?? []).map((i) => [i.image, i]));
  const images = [...new Set(used)].flatMap((name) => (declared.has(name) ? [declared.get(name)!] : []));
  return { images, undeclared: [...new Set(used)].filter((name) => !declared.has(name)) };
}
