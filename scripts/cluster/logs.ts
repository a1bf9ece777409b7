import fs from 'node:fs';
import path from 'node:path';
import { runOrThrow } from '../lib/process.ts';
import { Status } from '../lib/status.ts';
import type { Handler } from './cli.ts';
import { engineEnv, ensureKind } from './kind/cluster.ts';
import { sandboxPaths } from './sandbox.ts';
import { requireSandbox } from './status.ts';
import { resolveKubernetes } from './versions.ts';
import { majorMinor } from '../model/version.ts';

/**
 * `npm run cluster -- logs --name NAME --to DIR`: the sandbox's component logs in one folder, and on kind
 * `kind export logs` (nodes' journals, containers, pods). `npm run verify` calls it for a failed page.
 */
export const logs: Handler<'logs'> = async (cmd, io) => {
  const state = requireSandbox(cmd.name, io.env);
  const to = path.resolve(io.cwd, cmd.to);
  fs.mkdirSync(to, { recursive: true });
  const own = sandboxPaths(cmd.name, io.env).logs;
  if (fs.existsSync(own)) fs.cpSync(own, path.join(to, 'sandbox'), { recursive: true });
  for (const [component, file] of Object.entries(state.logs)) {
    if (fs.existsSync(file) && !file.startsWith(own + path.sep))
      fs.copyFileSync(file, path.join(to, `${component}.log`));
  }
  if (state.provider === 'kind') {
    const status = new Status(io);
    const kind = await ensureKind(resolveKubernetes(majorMinor(state.kubernetes)), io, status);
    await status.step(`kind export logs ${path.join(to, 'kind')} --name ${cmd.name}`, () =>
      runOrThrow('KIND_LOGS_FAILED', kind, ['export', 'logs', path.join(to, 'kind'), '--name', cmd.name], {
        env: engineEnv(state, io.env),
        signal: io.signal,
        what: 'kind export logs',
      }),
    );
  }
  io.out(`${to}\n`);
  return 0;
};
