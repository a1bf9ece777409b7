/** `npm run cluster -- up|down|status|kubeconfig|logs`: see scripts/cluster/main.ts. */
import { runMain } from './lib/main.ts';
import { clusterMain } from './cluster/main.ts';

await runMain(clusterMain);
