import { runMain } from '../lib/main.ts';
import { clusterMain } from './main.ts';

/** The whole `npm run cluster` program as one module, bundled as one (see scripts/runbook/program.ts). */
export const program = (): Promise<void> => runMain(clusterMain);
