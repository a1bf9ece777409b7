/**
 * What `npm test` needs from the machine besides node_modules, in one list: what each is, why the tests need it, how
 * to tell it is there, its Debian packages (main.ts installs them in one `apt-get install` when it may). To add a
 * tool, add one entry; most are one line: `command('containerd', '진짜 파드 샌드박스', ['containerd'])`.
 */
import { findGo } from '../cluster/build.ts';
import { DEBIAN_PACKAGES } from '../cluster/pods/host.ts';
import { ENGINE_PACKAGES } from '../cluster/kind/engine.ts';
import { EnvironmentError } from '../lib/errors.ts';

/** What a check may look at (the real machine, or a fake one in tests). */
export interface Probe {
  env: Readonly<Record<string, string | undefined>>;
  /** The executable for a name (or a path) on PATH, or undefined. */
  which(name: string): string | undefined;
  /** Runs a short query command (such as `fc-list`) and returns its stdout, or undefined if it failed. */
  query(cmd: string, args: string[]): string | undefined;
  /** Whether this process runs as root (may install packages; can run the pods sandbox). */
  isRoot: boolean;
}

/**
 * `found` says where; `missing` says what is wrong, whether installing the Debian packages would fix
 * it, and otherwise how to fix it.
 */
export type Check = { found: string } | { missing: string; aptFixes: boolean; hint?: string | undefined };

export interface Requirement {
  /** For people: `Chromium`, `Go`. */
  name: string;
  /** What in the tests needs it. */
  usedBy: string;
  check(probe: Probe): Check;
  /** Debian packages that provide it; empty when apt cannot (then the check's `hint` says how). */
  debian: string[];
}

/** A requirement met by an executable on PATH. */
export function command(name: string, usedBy: string, debian: string[], hint?: string): Requirement {
  return {
    name,
    usedBy,
    debian,
    check: (probe) => {
      const found = probe.which(name);
      return found ? { found } : { missing: `PATH 에 ${name} 이(가) 없습니다.`, aptFixes: debian.length > 0, hint };
    },
  };
}

/** The Chromium the browser tests launch: CHROMIUM_PATH when set, else `chromium` on PATH. */
export function chromiumPath(probe: Pick<Probe, 'env' | 'which'>): string | undefined {
  const explicit = probe.env.CHROMIUM_PATH;
  return explicit ? probe.which(explicit) : probe.which('chromium');
}

const chromium: Requirement = {
  name: 'Chromium',
  usedBy: '브라우저 테스트 test/browser.test.ts',
  debian: ['chromium'],
  check: (probe) => {
    const found = chromiumPath(probe);
    if (found) return { found };
    const explicit = probe.env.CHROMIUM_PATH;
    if (!explicit) return { missing: 'PATH 에 chromium 이 없습니다.', aptFixes: true };
    const why = `CHROMIUM_PATH=${explicit} 는 실행할 수 있는 파일이 아닙니다. 고치거나 지우세요 (지우면 PATH 의 chromium 을 씁니다).`;
    return { missing: why, aptFixes: false };
  },
};

const koreanFont: Requirement = {
  name: '한국어 글꼴 (Noto Sans CJK)',
  usedBy: '브라우저 테스트의 한국어 렌더링과 스크린샷',
  debian: ['fonts-noto-cjk', 'fontconfig'],
  check: (probe) => {
    const families = probe.query('fc-list', [':', 'family']);
    if (families === undefined)
      return { missing: 'fc-list (fontconfig) 가 없어 글꼴을 확인할 수 없습니다.', aptFixes: true };
    return /Noto Sans CJK/i.test(families)
      ? { found: 'fc-list 에 Noto Sans CJK 가 있습니다' }
      : { missing: 'fc-list 에 Noto Sans CJK 가 없습니다.', aptFixes: true };
  },
};

/** The same check and hint as `npm run cluster`. Debian's golang-go is older than Go 1.26: Go comes from go.dev. */
const go: Requirement = {
  name: 'Go',
  usedBy: '샌드박스 클러스터 빌드, Kubernetes·etcd·kwok·MetalLB 를 Go 모듈 프록시에서',
  debian: [],
  check: (probe) => {
    try {
      return { found: findGo(probe.env) };
    } catch (error) {
      if (error instanceof EnvironmentError) return { missing: error.message, aptFixes: false, hint: error.hint };
      throw error;
    }
  },
};

/** `found` when nothing is missing, else the missing tools (their Debian packages provide them). */
const allFound = (missing: string[], found: string): Check =>
  missing.length === 0 ? { found } : { missing: `없습니다: ${missing.join(', ')}`, aptFixes: true };

/**
 * The real-pod sandbox (pods provider): containerd, runc, CNI plugins, iptables, conntrack, and
 * tcpdump for the test that proves no packet of the page's subnet reaches the host's interfaces.
 * Needed only where that sandbox can run at all (root with cgroup access); elsewhere its tests
 * skip with the reason, and this check says so instead of asking for packages.
 */
const pods: Requirement = {
  name: '실제 파드 샌드박스 (containerd, runc, CNI, iptables, conntrack, tcpdump)',
  usedBy: 'pods 프로바이더와 그 테스트 test/cluster-pods*.test.ts',
  debian: [...DEBIAN_PACKAGES, 'tcpdump'],
  check: (probe) => {
    if (!probe.isRoot) return { found: 'root 가 아니어서 pods 테스트는 건너뜁니다 (kwok 으로 검증)' };
    const missing = ['containerd', 'runc', 'iptables', 'conntrack', 'tcpdump', '/usr/lib/cni/bridge'].filter(
      (t) => !probe.which(t),
    );
    return allFound(missing, 'containerd, runc, CNI, iptables, conntrack, tcpdump');
  },
};

/**
 * kind where no Docker answers: the project's own Docker daemon (Debian's docker.io), the offline
 * node image's root file system (mmdebstrap) and its pause image (gcc, glibc's static library).
 * Needed only as root (elsewhere a user's Docker is the engine, or kind cannot run here).
 */
export const kind: Requirement = {
  name: 'kind 샌드박스 (이 프로젝트의 Docker 데몬, 노드 이미지)',
  usedBy: 'kind 프로바이더 (npm run cluster -- up --provider kind) 와 그 테스트 test/e2e-kind.test.ts',
  debian: [...ENGINE_PACKAGES, 'gcc', 'libc6-dev'],
  check: (probe) => {
    if (!probe.isRoot)
      return {
        found: 'root 가 아니어서 이 프로젝트의 Docker 데몬은 띄우지 않습니다 (Docker 가 응답하면 그것을 씁니다)',
      };
    const missing = ['dockerd', 'mmdebstrap', 'gcc'].filter((t) => !probe.which(t));
    if (probe.query('gcc', ['-print-file-name=libc.a'])?.trim().startsWith('/') !== true)
      missing.push('libc.a (libc6-dev)');
    return allFound(missing, 'dockerd, mmdebstrap, gcc');
  },
};

/** Everything `npm test` checks, in the order it reports them. Extend here. */
export const requirements: Requirement[] = [chromium, koreanFont, go, pods, kind];
