/**
 * Equality-based label selectors (`app=metallb,component=controller`, `tier!=web`, `key`, `!key`),
 * read the way the API server reads them, for finding pods in files the provider kept without
 * asking the API. Set-based forms (`in (…)`) are refused when the runbook is bound.
 */
type Requirement = { key: string; op: '=' | '!='; value: string } | { key: string; op: 'exists' | '!exists' };

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

/** The requirements of a selector, or what is wrong with it (a Korean sentence). */
export function parseSelector(selector: string): Requirement[] | string {
  const parts = selector.split(',').map((p) => p.trim());
  if (selector.trim() === '' || parts.some((p) => p === ''))
    return `선택자 "${selector}" 가 비었거나 빈 조건이 있습니다. 예: app=metallb,component=controller`;
  const out: Requirement[] = [];
  for (const part of parts) {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) {
      const [, key = '', op, value = ''] = m;
      if (!KEY.test(key) || !VALUE.test(value))
        return `선택자 "${selector}" 의 "${part}" 는 라벨 이름이나 값이 올바르지 않습니다.`;
      out.push({ key, op: op === '!=' ? '!=' : '=', value });
    } else if (KEY.test(part.replace(/^!/, ''))) {
      out.push({ key: part.replace(/^!/, ''), op: part.startsWith('!') ? '!exists' : 'exists' });
    } else {
      return `선택자 "${selector}" 의 "${part}" 를 읽을 수 없습니다: key=value, key!=value, key, !key 만 씁니다.`;
    }
  }
  return out;
}

export function matchesSelector(
  labels: Readonly<Record<string, string>>,
  requirements: readonly Requirement[],
): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    if (!('value' in r)) return r.op === 'exists' ? has : !has;
    return r.op === '=' ? has && labels[r.key] === r.value : !has || labels[r.key] !== r.value;
  });
}
