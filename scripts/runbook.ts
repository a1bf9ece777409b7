#!/usr/bin/env node
/** `npm run runbook -- <name> [...]`: see scripts/runbook/cli.ts. */
import { fastStart } from './lib/fast-start.ts';

// One bundled file instead of a few hundred modules (see fast-start.ts); the sources when it cannot be built.
const { program } = await fastStart('runbook', 'scripts/runbook/program.ts', () => import('./runbook/program.ts'));
await program();
// Everything is written by now (reports synchronously; stdout and stderr are synchronous on Linux).
// A request still waiting on an API server that stopped answering must not keep the run alive.
process.exit();
