import YAML from 'yaml';
import type { ObjectCheck, ObjectReading } from '../model/report.ts';
import type { ObjectRule } from '../model/runbook.ts';
import { apiErrorText, orAbsent, parseGet, type Kube } from './kube.ts';
import { nameStem, parseTable } from './match/table.ts';
import { splitLines } from './match/result.ts';

// Object checks: where the page states a fact about an object, the object the command names, read through the API,
// compared with the value of the page's output block (or the line the text check accepted).

/** `kubectl get configmap NAME -n NS ...` (the start of a pipeline, comments and line continuations removed). */
const GET_CONFIGMAP = /^kubectl get (?:configmap|cm) ([a-z0-9.-]+) -n ([a-z0-9-]+)\b/;

/** What object a rule reads for a command, or a sentence saying why it cannot (for the binding check). */
export function objectTarget(
  rule: ObjectRule,
  command: string,
): { namespace: string; name: string | undefined } | string {
  if (rule.kind === 'config') {
    const script = command
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n')
      .replace(/\\\n/g, ' ');
    const m = GET_CONFIGMAP.exec(script.trim());
    return m
      ? { name: m[1], namespace: m[2] ?? '' }
      : '객체 확인(config)은 `kubectl get configmap 이름 -n 네임스페이스` 로 시작하는 명령에만 쓸 수 있습니다.';
  }
  const get = parseGet(command);
  const kinds = rule.kind === 'service' ? ['svc', 'service', 'services'] : ['pod', 'pods', 'po'];
  if (!get || !kinds.includes(get.kind) || (rule.kind === 'service' && !get.name))
    return rule.kind === 'service'
      ? '객체 확인(service)은 `kubectl get svc/이름 -n 네임스페이스` 명령에만 쓸 수 있습니다.'
      : '객체 확인(pods)은 `kubectl get pod -n 네임스페이스` 명령에만 쓸 수 있습니다.';
  return { namespace: get.namespace, name: get.name };
}

/** The columns or line a rule takes its expectation from, checked when binding. */
export function objectRuleProblems(rule: ObjectRule, command: string, documented: string | undefined): string[] {
  const target = objectTarget(rule, command);
  if (typeof target === 'string') return [target];
  if (documented === undefined) return ['객체 확인은 기대값을 읽을 출력 블록이 있어야 합니다.'];
  if (rule.kind === 'config')
    return documentedValue(rule, documented) === undefined
      ? [`출력 블록에 "${lastKey(rule)}: 값" 줄이 없어 객체 확인의 기대값을 읽을 수 없습니다.`]
      : [];
  const { header, rows } = parseTable(documented);
  const need = rule.kind === 'service' ? ['NAME', 'TYPE', 'EXTERNAL-IP'] : ['NAME', 'READY', 'STATUS'];
  const missing = need.filter((c) => !header.includes(c));
  if (missing.length > 0) return [`객체 확인(${rule.kind})에 필요한 열 ${missing.join(', ')} 가 출력 블록에 없습니다.`];
  if (rows.length === 0) return ['객체 확인의 기대값을 읽을 행이 출력 블록에 없습니다.'];
  return [];
}

const lastKey = (rule: Extract<ObjectRule, { kind: 'config' }>) => rule.field.split('.').at(-1)!;

/** The value of the `key: value` line for the rule's field in a text, parsed as YAML. */
export function documentedValue(rule: Extract<ObjectRule, { kind: 'config' }>, text: string): unknown {
  const key = lastKey(rule);
  const line = splitLines(text)
    .map((l) => l.trim())
    .find((l) => l.startsWith(`${key}:`));
  if (line === undefined) return undefined;
  return (YAML.parse(line) as Record<string, unknown>)[key];
}

/** A value as people read it in a report: `(없음)` when absent, strings as they are, the rest as JSON. */
export const show = (v: unknown): string =>
  v === undefined || v === null ? '(없음)' : typeof v === 'string' ? v : JSON.stringify(v);

/** The value at a path of an object (`['spec', 'loadBalancerIP']`); undefined when any part is missing. */
export function valueAt(object: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
    object,
  );
}

/** What the API returns for the object a rule reads: the evidence a report keeps. An API server that does not answer is a reading too. */
export async function readObject(kube: Kube, rule: ObjectRule, command: string): Promise<ObjectReading> {
  const target = objectTarget(rule, command);
  const first = command.split('\n').find((l) => l.trim() && !l.trim().startsWith('#'));
  const what = `${rule.kind} 객체 읽기 (${first?.trim() ?? command})`;
  if (typeof target === 'string') return { kind: 'error', what, error: target };
  const { namespace } = target;
  const name = target.name ?? '';
  try {
    if (rule.kind === 'config') {
      const cm = await orAbsent(kube.core.readNamespacedConfigMap({ name, namespace }));
      const data = cm?.data?.[rule.key];
      return { kind: 'config', namespace, name, found: cm !== undefined, ...(data !== undefined ? { data } : {}) };
    }
    if (rule.kind === 'service') {
      const svc = await orAbsent(kube.core.readNamespacedService({ name, namespace }));
      const type = svc?.spec?.type;
      const ip = svc?.status?.loadBalancer?.ingress?.[0]?.ip;
      return {
        kind: 'service',
        namespace,
        name,
        found: svc !== undefined,
        ...(type ? { type } : {}),
        ...(ip ? { ip } : {}),
      };
    }
    const pods = (await kube.core.listNamespacedPod({ namespace })).items.map((pod) => {
      const statuses = pod.status?.containerStatuses ?? [];
      return {
        name: pod.metadata?.name ?? '',
        phase: pod.status?.phase ?? '',
        ready: `${statuses.filter((c) => c.ready).length}/${pod.spec?.containers.length ?? statuses.length}`,
      };
    });
    return { kind: 'pods', namespace, pods };
  } catch (error) {
    // An API server that does not answer is a failed check (an eventual step keeps waiting), not a crash.
    return { kind: 'error', what, error: apiErrorText(error) };
  }
}

/**
 * The checks of a rule against what was read, with the expected values taken from `documented`
 * (pure: the runner and the verdict both call it, the verdict on the page as it is now).
 */
export function compareObject(
  rule: ObjectRule,
  command: string,
  documented: string,
  reading: ObjectReading,
): ObjectCheck[] {
  const check = (what: string, expected: unknown, actual: unknown): ObjectCheck => ({
    what,
    expected: show(expected),
    actual: show(actual),
    ok: show(expected) === show(actual),
  });
  if (reading.kind === 'error')
    return [{ what: reading.what, expected: 'API 서버의 응답', actual: `오류: ${reading.error}`, ok: false }];
  const target = objectTarget(rule, command);
  if (typeof target === 'string') return [{ what: command, expected: '읽을 수 있는 객체', actual: target, ok: false }];
  const { namespace, name } = target;
  const read = `${reading.kind} ${reading.namespace}/${'name' in reading ? reading.name : ''}`;
  if (reading.kind !== rule.kind || reading.namespace !== namespace || ('name' in reading && reading.name !== name))
    return [check(`${rule.kind} ${namespace}/${name ?? ''} 읽기`, `${rule.kind} ${namespace}/${name ?? ''}`, read)];

  if (reading.kind === 'config' && rule.kind === 'config') {
    const what = `ConfigMap ${namespace}/${name} data["${rule.key}"] 의 ${rule.field}`;
    if (!reading.found) return [check(what, documentedValue(rule, documented), '(ConfigMap 없음)')];
    let value: unknown;
    try {
      value = valueAt(YAML.parse(reading.data ?? ''), rule.field.split('.'));
    } catch (error) {
      value = `(YAML 로 읽을 수 없음: ${(error as Error).message})`;
    }
    return [check(what, documentedValue(rule, documented), value)];
  }

  const rows = parseTable(documented).rows;
  if (reading.kind === 'service') {
    const row = rows[0] ?? {};
    if (!reading.found) return [check(`Service ${namespace}/${name}`, '있음', '(없음)')];
    const documentedIp = row['EXTERNAL-IP'];
    const wantedIp = documentedIp === '<none>' || documentedIp === '<pending>' ? undefined : documentedIp;
    return [
      check(`Service ${namespace}/${name} spec.type`, row['TYPE'], reading.type),
      check(`Service ${namespace}/${name} status.loadBalancer.ingress[0].ip`, wantedIp, reading.ip),
    ];
  }

  if (reading.kind !== 'pods') return [];
  const checks: ObjectCheck[] = [];
  for (const stem of new Set(rows.map((r) => nameStem(r['NAME'] ?? '')))) {
    const row = rows.find((r) => nameStem(r['NAME'] ?? '') === stem) ?? {};
    const matching = reading.pods.filter((p) => nameStem(p.name) === stem);
    if (matching.length === 0) checks.push(check(`${stem}-… 파드 (${namespace})`, '있음', '(없음)'));
    for (const pod of matching) {
      const what = `Pod ${namespace}/${pod.name}`;
      checks.push(check(`${what} status.phase`, row['STATUS'], pod.phase || undefined));
      checks.push(check(`${what} 준비된 컨테이너 (status.containerStatuses[].ready)`, row['READY'], pod.ready));
    }
  }
  return checks;
}

/** One line per failed check, for the step's problems. */
export function objectProblems(checks: readonly ObjectCheck[]): string[] {
  return checks
    .filter((c) => !c.ok)
    .map((c) => `객체 확인: ${c.what}: 기대(페이지) "${c.expected}", 실제(API) "${c.actual}"`);
}
