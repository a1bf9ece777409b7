import type { Io } from '../../lib/io.ts';
import type { Status } from '../../lib/status.ts';
import type { ImageBuild } from '../../model/runbook.ts';
import type { Simulation } from '../provider.ts';
import { ensureImageBinary } from '../targets.ts';
import { registerImages } from './images.ts';

/**
 * A runbook's images on a kwok sandbox: each is built from its tagged source (cached); those the
 * runbook wants running on simulated nodes are registered with the small kubelet, which runs their
 * pods as local processes. The rest stay what kwok makes of every pod: Running, with no container.
 */
export async function provideKwokImages(
  sandboxDir: string,
  images: readonly ImageBuild[],
  io: Io,
  status: Status,
): Promise<Simulation> {
  const run = images.filter((i) => i.runOnSimulatedNodes);
  const registered: Record<string, string> = {};
  for (const image of run) registered[image.image] = await ensureImageBinary(image, io, status);
  registerImages(sandboxDir, registered);
  return {
    simulated: [
      ...run.map(
        (i) =>
          `${i.title} (${i.image}): 컨테이너가 아니라 같은 태그의 소스(${i.module} ${i.version})에서 빌드한 바이너리가 이 머신의 프로세스로 실행됩니다`,
      ),
      ...images
        .filter((i) => !i.runOnSimulatedNodes)
        .map((i) => `${i.title} (${i.image}): 실행되지 않습니다 (kwok 이 파드를 Running 으로 표시할 뿐입니다)`),
    ],
    real: run.map((i) => `${i.title} 가 파드의 ServiceAccount 토큰으로 이 샌드박스의 실제 API 서버와 동작합니다`),
  };
}
