import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Io } from '../../lib/io.ts';
import { cacheDir } from '../../lib/paths.ts';
import { runOrThrow, type Env } from '../../lib/process.ts';
import type { Status } from '../../lib/status.ts';
import type { ImageBuild } from '../../model/runbook.ts';
import { ensureBuilt } from '../build.ts';
import type { Simulation } from '../provider.ts';
import { sandboxPaths } from '../sandbox.ts';
import { ensureImageBinary, podToolsTarget } from '../targets.ts';
import { PAUSE_IMAGE, STANDIN_IMAGE, podsPaths, type PodsPaths } from './layout.ts';
import { orElse } from '../procs.ts';
import { readCreated } from './record.ts';

/** An image we build: its exact name (as manifests use it), the binary and where it sits in the image. */
export interface LocalImage {
  name: string;
  binary: string;
  entrypoint: string;
}

/** The images the node has from `up`: pause and the stand-in web server. A runbook's images are added before its
 * steps (`providePodsImages`); nothing else exists, and pulling anything else fails (no route out). */
export function localImages(b: { pause: string; standinWeb: string }): LocalImage[] {
  return [
    { name: PAUSE_IMAGE, binary: b.pause, entrypoint: '/pause' },
    { name: STANDIN_IMAGE, binary: b.standinWeb, entrypoint: '/standin-web' },
  ];
}

/**
 * Where an image's tarball is cached (`<cache>/images/`): keyed by the image name, the binary's
 * size and mtime and the packer itself, so a rebuilt binary or packer makes a new tarball.
 */
function imageTarPath(image: LocalImage, ociImage: string, env: Env): string {
  const stamp = (f: string, { size, mtimeMs } = fs.statSync(f)) => `${f}:${size}:${mtimeMs}`;
  const key = createHash('sha256')
    .update([image.name, image.entrypoint, stamp(image.binary), stamp(ociImage)].join('\n'))
    .digest('hex')
    .slice(0, 16);
  return path.join(cacheDir(env), 'images', `${image.name.replace(/[^A-Za-z0-9.-]+/g, '_')}-${key}.tar`);
}

/**
 * The image's OCI layout tarball (our oci-image tool), made once and cached: the path. The kind
 * provider loads the same tarball into its nodes (`kind load image-archive`), so it passes its code.
 */
export async function packImage(
  image: LocalImage,
  ociImage: string,
  io: Pick<Io, 'env' | 'signal'>,
  code = 'PODS_IMAGE_FAILED',
): Promise<string> {
  const tar = imageTarPath(image, ociImage, io.env);
  fs.mkdirSync(path.dirname(tar), { recursive: true });
  // oci-image writes <tar>.tmp and renames: a tarball that exists is whole.
  if (!fs.existsSync(tar)) {
    const file = `${image.entrypoint}=${image.binary}`;
    const args = ['--name', image.name, '--file', file, '--entrypoint', image.entrypoint, '--out', tar];
    await runOrThrow(code, ociImage, args, { signal: io.signal, what: `${image.name} 이미지 만들기` });
  }
  return tar;
}

/**
 * Packs each image as an OCI layout tarball (our oci-image tool) and imports it into the node's
 * containerd (`ctr -n k8s.io images import`), unpacked for the CRI snapshotter.
 * Each image is one gzip layer holding one static binary; tarballs are cached across sandboxes.
 */
export async function importImages(
  images: LocalImage[],
  ociImage: string,
  pp: PodsPaths,
  holder: number,
  io: Io,
): Promise<string[]> {
  // All at once: packing is CPU, importing waits on containerd; together they take the longest one's time.
  return Promise.all(
    images.map(async (image) => {
      const tar = await packImage(image, ociImage, io);
      // ctr runs in the node's mount namespace: it writes under /run/containerd, which is the sandbox's there.
      const ctr = [`--mount=/proc/${holder}/ns/mnt`, '--', 'ctr', '--address', pp.containerdSock, '-n', 'k8s.io'];
      const args = [...ctr, 'images', 'import', '--snapshotter', 'overlayfs', tar];
      const what = `${image.name} 이미지 가져오기 (ctr images import)`;
      await runOrThrow('PODS_IMAGE_FAILED', 'nsenter', args, { signal: io.signal, what });
      return image.name;
    }),
  );
}

/**
 * A runbook's images on a pods sandbox: each command built from its tagged source (cached), packed
 * as an OCI image under the exact name the manifests use, and imported into the node's containerd.
 */
export async function providePodsImages(
  sandboxName: string,
  images: readonly ImageBuild[],
  io: Io,
  status: Status,
): Promise<Simulation> {
  const pp = podsPaths(sandboxPaths(sandboxName, io.env));
  const holder = readCreated(pp).holder;
  if (!holder)
    throw new Error(`샌드박스 ${sandboxName} 의 노드 마운트 네임스페이스 기록이 없습니다 (${pp.root}/created.json).`);
  const ociImage = path.join(await ensureBuilt(podToolsTarget(), io, status), 'oci-image');
  const local: LocalImage[] = [];
  for (const image of images)
    local.push({ name: image.image, binary: await ensureImageBinary(image, io, status), entrypoint: image.entrypoint });
  // Which tarball each image name was last imported from: an unchanged image is not imported again.
  const importedFile = path.join(pp.root, 'imported.json');
  const read = () => JSON.parse(fs.readFileSync(importedFile, 'utf8')) as Record<string, string>;
  const imported = orElse(read, {});
  const tars = new Map(local.map((i) => [i, imageTarPath(i, ociImage, io.env)]));
  const wanted = local.filter((i) => imported[i.name] !== tars.get(i));
  if (wanted.length > 0) {
    await status.step(`이미지 가져오기: ${wanted.map((i) => i.name).join(', ')} (레지스트리 없이, 소스에서 빌드)`, () =>
      importImages(wanted, ociImage, pp, holder, io),
    );
    for (const i of wanted) imported[i.name] = tars.get(i)!;
    fs.writeFileSync(importedFile, `${JSON.stringify(imported, null, 2)}\n`);
  }
  return {
    simulated: images.map(
      (i) =>
        `${i.title} (${i.image}): 내려받지 않고 같은 태그의 소스(${i.module} ${i.version})에서 빌드한 이미지입니다`,
    ),
    real: images.map((i) => `${i.title} 가 실제 컨테이너로 실행됩니다`),
  };
}
