import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import type { Io } from '../../lib/io.ts';
import { runOrThrow, type Env } from '../../lib/process.ts';
import type { Status } from '../../lib/status.ts';
import { ensureBuilt } from '../build.ts';
import { engineEnv, ensureKind } from './cluster.ts';
import { localImages, packImage, type LocalImage } from '../pods/images.ts';
import type { ImageBuild } from '../../model/runbook.ts';
import type { Simulation } from '../provider.ts';
import { ensureImageBinary } from '../targets.ts';
import { STANDIN_IMAGE } from '../pods/layout.ts';
import { sandboxDir, type SandboxState } from '../state.ts';
import { podToolsTarget } from '../targets.ts';
import { resolveKubernetes } from '../versions.ts';
import { majorMinor } from '../../model/version.ts';

/**
 * The stand-in web server's image in a kind cluster's nodes. Its name (vdocs.local/standin-web:v1)
 * is on no registry and the backend pods never pull it (imagePullPolicy: Never), so the image is
 * built from go/pod-tools/standin-web as the same OCI tarball the pods provider imports
 * (pods/images.ts) and put into every node with `kind load image-archive`.
 *
 * Done by the kind Provider's `provideImages`, before a run's steps, where the run's progress
 * lines and abort signal are at hand; a failure does not stop the run: it is recorded, and the
 * browser steps that need the image fail with it (`requireStandinImage`), every other step still runs.
 */

export const kindLoadArgs = (tar: string, cluster: string) => ['load', 'image-archive', tar, '--name', cluster];

/** `<sandbox>/kind-standin.json`: the tarball loaded into this cluster (its createdAt), or why it could not be. */
interface LoadRecord {
  createdAt: string;
  tar?: string;
  error?: string;
  hint?: string;
}
const recordFile = (state: SandboxState, env: Env) => path.join(sandboxDir(state.name, env), 'kind-standin.json');

function readRecord(state: SandboxState, env: Env): LoadRecord | undefined {
  try {
    const r = JSON.parse(fs.readFileSync(recordFile(state, env), 'utf8')) as LoadRecord;
    return r.createdAt === state.createdAt ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Builds (cached) and loads the stand-in image into the cluster's nodes once per cluster and tarball; never throws but for an abort. */
export async function loadStandinImage(state: SandboxState, io: Io, status: Status): Promise<void> {
  const write = (r: LoadRecord) => fs.writeFileSync(recordFile(state, io.env), `${JSON.stringify(r, null, 2)}\n`);
  try {
    const tools = await ensureBuilt(podToolsTarget(), io, status);
    const image = localImages({ pause: path.join(tools, 'pause'), standinWeb: path.join(tools, 'standin-web') }).find(
      (i) => i.name === STANDIN_IMAGE,
    )!;
    const tar = await packImage(image, path.join(tools, 'oci-image'), io, 'KIND_IMAGE_FAILED');
    if (readRecord(state, io.env)?.tar === tar) return;
    const kind = await ensureKind(resolveKubernetes(majorMinor(state.kubernetes)), io, status);
    await status.step(`kind load image-archive: ${STANDIN_IMAGE} (대역 웹 서버, 프로젝트 소스에서 빌드)`, () =>
      runOrThrow('KIND_IMAGE_FAILED', kind, kindLoadArgs(tar, state.name), {
        env: engineEnv(state, io.env),
        signal: io.signal,
        what: `${STANDIN_IMAGE} 를 kind 노드에 넣기`,
        hint: `kind 노드 목록: ${kind} get nodes --name ${state.name}`,
      }),
    );
    write({ createdAt: state.createdAt, tar });
  } catch (error) {
    if (io.signal.aborted) throw error;
    const e = error as Error & { hint?: string };
    status.info(
      `대역 웹 서버 이미지를 kind 노드에 넣지 못했습니다. 브라우저 단계가 이 이유로 실패합니다: ${e.message}`,
    );
    write({ createdAt: state.createdAt, error: e.message, ...(e.hint ? { hint: e.hint } : {}) });
  }
}

/** Throws unless the stand-in image was loaded into this cluster: with the recorded reason when loading failed. */
export function requireStandinImage(state: SandboxState, env: Env): void {
  const r = readRecord(state, env);
  if (r?.tar) return;
  throw new EnvironmentError(
    'KIND_NO_STANDIN_IMAGE',
    r?.error
      ? `대역 웹 서버 이미지(${STANDIN_IMAGE})를 kind 노드에 넣지 못했습니다: ${r.error}`
      : `대역 웹 서버 이미지(${STANDIN_IMAGE})가 kind 노드에 없습니다 (런북 실행이 단계 전에 넣습니다).`,
    r?.hint ?? 'Go 가 PATH 에 있는지 확인하고 런북을 다시 실행하세요 (npm run runbook -- <이름>).',
  );
}

/** `<sandbox>/kind-images.json`: which tarball each runbook image was loaded from, in this cluster. */
const loadedFile = (state: SandboxState, env: Env) => path.join(sandboxDir(state.name, env), 'kind-images.json');

/**
 * A runbook's images on a kind cluster whose nodes cannot pull (`pulls: false`: the node image was
 * built here): each command built from its tagged source, packed under the exact name the manifests
 * use, and loaded into the nodes with `kind load image-archive`. Where the nodes pull, nothing is
 * done and the page's manifests bring upstream's images.
 */
export async function provideKindImages(
  state: SandboxState,
  images: readonly ImageBuild[],
  io: Io,
  status: Status,
): Promise<Simulation> {
  if (state.pulls !== false || images.length === 0) return { simulated: [], real: [] };
  const tools = await ensureBuilt(podToolsTarget(), io, status);
  const local: LocalImage[] = [];
  for (const image of images)
    local.push({ name: image.image, binary: await ensureImageBinary(image, io, status), entrypoint: image.entrypoint });
  let loaded: { createdAt?: string; tars?: Record<string, string> } = {};
  try {
    loaded = JSON.parse(fs.readFileSync(loadedFile(state, io.env), 'utf8')) as typeof loaded;
  } catch {
    loaded = {};
  }
  const tars = loaded.createdAt === state.createdAt ? { ...loaded.tars } : {};
  const kind = await ensureKind(resolveKubernetes(majorMinor(state.kubernetes)), io, status);
  for (const image of local) {
    const tar = await packImage(image, path.join(tools, 'oci-image'), io, 'KIND_IMAGE_FAILED');
    if (tars[image.name] === tar) continue;
    await status.step(`kind load image-archive: ${image.name} (내려받지 않고 소스에서 빌드)`, () =>
      runOrThrow('KIND_IMAGE_FAILED', kind, kindLoadArgs(tar, state.name), {
        env: engineEnv(state, io.env),
        signal: io.signal,
        what: `${image.name} 를 kind 노드에 넣기`,
      }),
    );
    tars[image.name] = tar;
    fs.writeFileSync(loadedFile(state, io.env), `${JSON.stringify({ createdAt: state.createdAt, tars }, null, 2)}\n`);
  }
  return {
    simulated: images.map(
      (i) =>
        `${i.title} (${i.image}): 내려받지 않고 같은 태그의 소스(${i.module} ${i.version})에서 빌드한 이미지입니다`,
    ),
    real: images.map((i) => `${i.title} 가 실제 컨테이너로 실행됩니다`),
  };
}
