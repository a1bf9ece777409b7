/** `npm run cluster -- up|down|status|kubeconfig`: see scripts/cluster/main.ts. */
import { fastStart } from './lib/fast-start.ts';
import { runMain } from './lib/main.ts';

// One bundled file instead of a few hundred modules (see fast-start.ts); the sources when it cannot be built.
const { clusterMain } = await fastStart('cluster', 'scripts/cluster/main.ts', () => import('./cluster/main.ts'));
await runMain(clusterMain);
