import type {
  ComponentLogs,
  ImageBuild,
  EditStep,
  FileStep,
  LinesRule,
  ManualStep,
  Runbook,
  RunStep,
  ServiceFixture,
  TableRule,
} from './runbook.ts';

/** Identity helpers that give runbook files types and short, page-like lines. */
export function defineRunbook(runbook: Runbook): Runbook {
  return runbook;
}

export function run(id: string, title: string, options: Omit<RunStep, 'kind' | 'id' | 'title'> = {}): RunStep {
  return { kind: 'run', id, title, ...options };
}

export function file(id: string, title: string): FileStep {
  return { kind: 'file', id, title };
}

export function edit(id: string, title: string, spec: string): EditStep {
  return { kind: 'edit', id, title, spec, writes: true };
}

export function manual(id: string, title: string): ManualStep {
  return { kind: 'manual', id, title };
}

export function lines(block: string, options: Omit<LinesRule, 'kind' | 'block'>): LinesRule {
  return { kind: 'lines', block, ...options };
}

export function table(block: string, options: Omit<TableRule, 'kind' | 'block'>): TableRule {
  return { kind: 'table', block, ...options };
}

export function serviceFixture(edit: string, spec: string, resetWith: string): ServiceFixture {
  return { kind: 'service', edit, spec, resetWith };
}

/** The logs of a component's pods (`kubectl logs -n NAMESPACE -l SELECTOR`), kept as `<name>.log`. */
export function componentLogs(name: string, namespace: string, selector: string): ComponentLogs {
  return { name, namespace, selector };
}

/** An image built from `module@version` (`package` is the command), named exactly as the manifests name it. */
export function goImage(image: string, title: string, build: Omit<ImageBuild, 'image' | 'title'>): ImageBuild {
  return { image, title, ...build };
}
