/** Kubernetes versions as this project writes them (`v1.37.0`, `v1.24.17+k3s1`, `1.37`), read by one parser: semver. */
import { gte, parse, type SemVer } from 'semver';

/** `v1.37.0`, `1.37.0`, `v1.24.17+k3s1` as they are; `1.37` or `v1.37` as `1.37.0`; undefined for anything else. */
export function parseVersion(text: string): SemVer | undefined {
  const t = text.trim();
  return parse(t) ?? parse(`${t}.0`) ?? undefined;
}

/** `v1.37.0` or `1.37` → `1.37`: a version's place in the version matrix (frontmatter, report names). */
export function majorMinor(text: string): string | undefined {
  const v = parseVersion(text);
  return v && `${v.major}.${v.minor}`;
}

/** `v1.37.0` or `1.25` → 37 / 25; NaN when it is not a version. */
export function minorOf(text: string): number {
  return parseVersion(text)?.minor ?? Number.NaN;
}

/** `atLeast('v1.37.0', '1.31')`: the version's minor is `since`'s or a later one (a 1.31 pre-release counts as 1.31). */
export function atLeast(version: string, since: string): boolean {
  const minor = (v: SemVer) => `${v.major}.${v.minor}.0`;
  return gte(minor(requireVersion(version)), minor(requireVersion(since)));
}

/** Like parseVersion, for text that must be a version (a release, a stamp); throws otherwise. */
export function requireVersion(text: string): SemVer {
  const v = parseVersion(text);
  if (!v) throw new Error(`not a semantic version: ${text}`);
  return v;
}
