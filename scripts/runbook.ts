#!/usr/bin/env node
/** `npm run runbook -- <name> [...]`: see scripts/runbook/cli.ts. */
import { fastStart } from './lib/fast-start.ts';
import { runMain } from './lib/main.ts';

// One bundled file instead of a few hundred modules (see fast-start.ts); the sources when it cannot be built.
const { main } = await fastStart('runbook', 'scripts/runbook/cli.ts', () => import('./runbook/cli.ts'));
await runMain(main);
// Everything is written by now (reports synchronously; stdout and stderr are synchronous on Linux).
// A request still waiting on an API server that stopped answering must not keep the run alive.
process.exit();
