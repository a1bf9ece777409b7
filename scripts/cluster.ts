/** `npm run cluster -- up|down|status|kubeconfig`: see scripts/cluster/main.ts. */
import { fastStart } from './lib/fast-start.ts';

// One bundled file instead of a few hundred modules (see fast-start.ts); the sources when it cannot be built.
const { program } = await fastStart('cluster', 'scripts/cluster/program.ts', () => import('./cluster/program.ts'));
await program();
