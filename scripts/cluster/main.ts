import { useColor, type Io } from '../lib/io.ts';
import { parseClusterArgs, type ClusterCommand, type Handler } from './cli.ts';
import { down } from './down.ts';
import { logs } from './logs.ts';
import { kubeconfig, status } from './status.ts';
import { up } from './up.ts';

type Handlers = { [K in ClusterCommand['kind']]: Handler<K> };

/** A mapped table: adding a command without a handler is a compile error. */
const handlers: Handlers = {
  up,
  down,
  status,
  kubeconfig,
  logs,
  help: async (cmd, io) => {
    // citty colours its usage unconditionally; honour NO_COLOR / CI / pipes.
    io.out((useColor(io) ? cmd.text : cmd.text.replace(/\u001b\[[0-9;]*m/g, '')) + '\n');
    return 0;
  },
};

/** `npm run cluster -- up|down|status|kubeconfig`: the entry point, `(argv, io) => exit code`. */
export async function clusterMain(argv: string[], io: Io): Promise<number> {
  const cmd = await parseClusterArgs(argv);
  return (handlers[cmd.kind] as (c: ClusterCommand, io: Io) => Promise<number>)(cmd, io);
}
