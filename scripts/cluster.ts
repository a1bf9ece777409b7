import { runMain } from './lib/main.ts';
import { clusterMain } from './cluster/main.ts';

await runMain(clusterMain);
