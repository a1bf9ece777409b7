import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Io } from '../../lib/io.ts';
import { cacheDir } from '../../lib/paths.ts';
import { runOrThrow, type Env } from '../../lib/process.ts';
import { METALLB_CONTROLLER_IMAGE, COMPONENTS } from '../versions.ts';
import { PAUSE_IMAGE, STANDIN_IMAGE, type PodsPaths } from './layout.ts';

export const METALLB_SPEAKER_IMAGE = `quay.io/metallb/speaker:${COMPONENTS.metallb}`;

/** An image we build: its exact name (as manifests use it), the binary and where it sits in the image. */
export interface LocalImage {
  name: string;
  binary: string;
  entrypoint: string;
}

export interface ImageBinaries {
  pause: string;
  standinWeb: string;
  metallbController: string;
  metallbSpeaker: string;
}

/** Every image the node has: nothing else exists, and pulling anything else fails (no route out). */
export function localImages(b: ImageBinaries): LocalImage[] {
  return [
    { name: PAUSE_IMAGE, binary: b.pause, entrypoint: '/pause' },
    { name: STANDIN_IMAGE, binary: b.standinWeb, entrypoint: '/standin-web' },
    // Upstream's Dockerfiles put the binaries at /controller and /speaker with those entrypoints.
    { name: METALLB_CONTROLLER_IMAGE, binary: b.metallbController, entrypoint: '/controller' },
    { name: METALLB_SPEAKER_IMAGE, binary: b.metallbSpeaker, entrypoint: '/speaker' },
  ];
}

/**
 * Where an image's tarball is cached (`<cache>/images/`): keyed by the image name, the binary's
 * size and mtime and the packer itself, so a rebuilt binary or packer makes a new tarball.
 */
export function imageTarPath(image: LocalImage, ociImage: string, env: Env): string {
  const stamp = (f: string) => {
    const st = fs.statSync(f);
    return `${f}:${st.size}:${st.mtimeMs}`;
  };
  const key = createHash('sha256').update([image.name, image.entrypoint, stamp(image.binary), stamp(ociImage)].join('\n')).digest('hex').slice(0, 16);
  return path.join(cacheDir(env), 'images', `${image.name.replace(/[^A-Za-z0-9.-]+/g, '_')}-${key}.tar`);
}

/**
 * Packs each image as an OCI layout tarball (our oci-image tool) and imports it into the node's
 * containerd (`ctr -n k8s.io images import`), unpacked for the CRI snapshotter.
 * Each image is one gzip layer holding one static binary; tarballs are cached across sandboxes.
 */
export async function importImages(images: LocalImage[], ociImage: string, pp: PodsPaths, holder: number, io: Io): Promise<string[]> {
  // All at once: packing is CPU, importing waits on containerd; together they take the longest one's time.
  return Promise.all(images.map(async (image) => {
    const tar = imageTarPath(image, ociImage, io.env);
    fs.mkdirSync(path.dirname(tar), { recursive: true });
    // oci-image writes <tar>.tmp and renames: a tarball that exists is whole.
    if (!fs.existsSync(tar)) await runOrThrow('PODS_IMAGE_FAILED', ociImage, ['--name', image.name, '--file', `${image.entrypoint}=${image.binary}`, '--entrypoint', image.entrypoint, '--out', tar], {
      signal: io.signal,
      what: `${image.name} 이미지 만들기`,
    });
    // ctr runs in the node's mount namespace: it writes under /run/containerd, which is the sandbox's there.
    await runOrThrow('PODS_IMAGE_FAILED', 'nsenter', [`--mount=/proc/${holder}/ns/mnt`, '--', 'ctr', '--address', pp.containerdSock, '-n', 'k8s.io', 'images', 'import', '--snapshotter', 'overlayfs', tar], {
      signal: io.signal,
      what: `${image.name} 이미지 가져오기 (ctr images import)`,
    });
    return image.name;
  }));
}
