import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import type { Io } from '../lib/io.ts';
import { cacheDir } from '../lib/paths.ts';
import { Status, formatDuration } from '../lib/status.ts';
import { runOrThrow, which, type Env } from '../lib/process.ts';
import { canonical, fingerprint } from '../model/fingerprint.ts';
import { readGoMod, toolsGo, type GoMod } from './gomod.ts';
import { acquireLock } from './lock.ts';

/**
 * One cached build: Go packages compiled in ONE `go build` inside a generated wrapper module
 * (`<cache>/build/<component>-<version>-<inputs>/`), binaries kept in `<cache>/bin/<component>-<version>-<inputs>/`,
 * where `<inputs>` is a digest of everything the build is made from besides the module proxy.
 */
export interface BuildTarget {
  component: string;
  version: string;
  /** Names of the binaries the bin folder must hold. */
  binaries: string[];
  /** Go packages, built together (`go build -o dir/ p1 p2 …`) to share work. */
  packages: string[];
  /** Produces the wrapper go.mod, given a reader of upstream go.mod files from the module proxy. */
  goMod: (fetch: (module: string, version: string) => Promise<GoMod>) => Promise<string>;
  /** Everything `goMod` writes besides what the proxy serves (modules, versions, bumps): part of the cache key. */
  goModInputs: unknown;
  /** Extra files in the wrapper module (our own helper commands). */
  files?: Record<string, string>;
  ldflags?: string[];
  /** GOTOOLCHAIN for this build (a toolchain from the proxy), when the local go cannot build it. */
  toolchain?: string;
}

/**
 * A digest of what a build is made from (packages, binaries, our files, link flags, toolchain, go.mod inputs
 * such as a runbook's bumps): a change to any is another folder, so a cached binary is never reused for other inputs.
 */
function inputsDigest(t: BuildTarget): string {
  const { component: _c, version: _v, goMod: _g, ...inputs } = t;
  return fingerprint(canonical(inputs)).slice(0, 12);
}

export const binDirOf = (t: BuildTarget, env: Env) =>
  path.join(cacheDir(env), 'bin', `${t.component}-${t.version}-${inputsDigest(t)}`);
const buildDirOf = (t: BuildTarget, env: Env) =>
  path.join(cacheDir(env), 'build', `${t.component}-${t.version}-${inputsDigest(t)}`);

/** The `go` the builds use: `$VDOCS_GO` or `go` on PATH. Missing Go is a usage-level problem (exit 2). */
export function findGo(env: Env): string {
  const explicit = env.VDOCS_GO;
  const found = which(explicit || 'go', env);
  if (!found) {
    throw new EnvironmentError(
      'GO_NOT_FOUND',
      explicit
        ? `VDOCS_GO=${explicit} 는 실행할 수 있는 go가 아닙니다.`
        : 'Go 툴체인(go)을 PATH에서 찾을 수 없습니다. 샌드박스는 Kubernetes·etcd·kwok 과 런북이 밝힌 이미지의 명령을 Go 모듈 프록시에서 빌드합니다.',
      'Go 1.26 이상을 설치하세요: https://go.dev/doc/install (예: /usr/local/go/bin을 PATH에 추가). 다른 위치의 go를 쓰려면 VDOCS_GO=/path/to/go 를 지정하세요.',
      2,
    );
  }
  return found;
}

export function isBuilt(t: BuildTarget, env: Env): boolean {
  const dir = binDirOf(t, env);
  return fs.existsSync(path.join(dir, 'build.json')) && t.binaries.every((b) => fs.existsSync(path.join(dir, b)));
}

/** Environment for every go command: no workspace, static binaries, the right toolchain. */
export function goEnv(env: Env, toolchain?: string): Env {
  return {
    ...env,
    GOWORK: 'off',
    CGO_ENABLED: '0',
    GOTOOLCHAIN: toolchain ?? env.GOTOOLCHAIN ?? 'local',
    GOFLAGS: env.GOFLAGS ?? '',
  };
}

/**
 * Builds the target unless its binaries are cached; returns the bin folder.
 * Progress: `• kube-apiserver, … v1.37.0 빌드` … `✓ … (4m12s)`, with a heartbeat every minute.
 */
export async function ensureBuilt(t: BuildTarget, io: Io, status = new Status(io)): Promise<string> {
  const binDir = binDirOf(t, io.env);
  if (isBuilt(t, io.env)) return binDir;
  const go = findGo(io.env);
  // One build per target at a time across processes (parallel test files, two `up`s): lock.ts.
  const release = await acquireLock(`${buildDirOf(t, io.env)}.lock`, io.signal, (holder) =>
    status.info(`${t.component} ${t.version}: 다른 프로세스(pid ${holder})가 빌드 중입니다. 끝나기를 기다립니다.`),
  );
  try {
    if (isBuilt(t, io.env)) return binDir; // another process built it while we waited
    return await status.step(`${t.binaries.join(', ')} ${t.version} 빌드 (Go 모듈 프록시에서)`, () =>
      build(t, go, io, status),
    );
  } finally {
    release();
  }
}

/** Writes the wrapper module: its go.mod, a tools.go importing the packages, our own files. */
async function writeModule(t: BuildTarget, buildDir: string, go: string, io: Io): Promise<void> {
  fs.mkdirSync(buildDir, { recursive: true });
  fs.writeFileSync(path.join(buildDir, 'go.mod'), await t.goMod((m, v) => downloadGoMod(go, m, v, io)));
  fs.rmSync(path.join(buildDir, 'go.sum'), { force: true });
  fs.writeFileSync(path.join(buildDir, 'tools.go'), toolsGo(t.packages.filter((p) => !p.startsWith('./'))));
  for (const [rel, text] of Object.entries(t.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(buildDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(buildDir, rel), text);
  }
}

async function build(t: BuildTarget, go: string, io: Io, status: Status): Promise<string> {
  const binDir = binDirOf(t, io.env);
  const buildDir = buildDirOf(t, io.env);
  const t0 = performance.now();
  const beat = setInterval(() => status.info(`… ${formatDuration(performance.now() - t0)} 경과`), 60_000);
  const tmp = `${binDir}.tmp-${process.pid}`;
  const runGo = (args: string[], what: string) =>
    runOrThrow('GO_BUILD_FAILED', go, args, {
      cwd: buildDir,
      env: goEnv(io.env, t.toolchain),
      signal: io.signal,
      what: `${t.component} ${t.version} ${what}`,
      hint: 'Go 모듈 프록시(GOPROXY)에 닿는지, 디스크 공간이 충분한지 확인하세요. 빌드 폴더를 지우고 다시 시도할 수 있습니다.',
      envShown: { CGO_ENABLED: '0', ...(t.toolchain ? { GOTOOLCHAIN: t.toolchain } : {}) },
    });
  try {
    await writeModule(t, buildDir, go, io);
    await runGo(['mod', 'tidy'], '의존성 정리(go mod tidy)');
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    const out = t.packages.length === 1 && t.binaries.length === 1 ? path.join(tmp, t.binaries[0]!) : `${tmp}/`;
    const ldflags = t.ldflags ? ['-ldflags', t.ldflags.join(' ')] : [];
    await runGo(['build', '-trimpath', ...ldflags, '-o', out, ...t.packages], '빌드(go build)');
    const record = {
      component: t.component,
      version: t.version,
      go: (await runGo(['version'], '빌드에 쓴 go version')).stdout.trim(),
      ...(t.toolchain ? { toolchain: t.toolchain } : {}),
      seconds: Math.round((performance.now() - t0) / 1000),
      builtAt: new Date().toISOString(),
    };
    fs.writeFileSync(path.join(tmp, 'build.json'), JSON.stringify(record, null, 2) + '\n');
    fs.rmSync(binDir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(binDir), { recursive: true });
    fs.renameSync(tmp, binDir);
    return binDir;
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true }); // an interrupted or failed build leaves no half-filled bin folder
    throw error;
  } finally {
    clearInterval(beat);
  }
}

/** An upstream go.mod exactly as the module proxy serves it (`go mod download -json`), read by Go (`go mod edit -json`). */
export async function downloadGoMod(go: string, module: string, version: string, io: Io): Promise<GoMod> {
  const cwd = path.join(cacheDir(io.env), 'build');
  fs.mkdirSync(cwd, { recursive: true });
  const res = await runOrThrow('GO_MOD_DOWNLOAD_FAILED', go, ['mod', 'download', '-json', `${module}@${version}`], {
    cwd,
    env: goEnv(io.env),
    signal: io.signal,
    what: `${module}@${version}의 go.mod 내려받기`,
    hint: 'Go 모듈 프록시(https://proxy.golang.org 또는 GOPROXY)에 닿는지 확인하세요.',
  });
  const info = JSON.parse(res.stdout) as { GoMod?: string; Error?: string };
  if (!info.GoMod)
    throw new EnvironmentError('GO_MOD_DOWNLOAD_FAILED', `${module}@${version}: ${info.Error ?? 'go.mod 없음'}`);
  return readGoMod(go, info.GoMod, goEnv(io.env), io.signal);
}
