#!/usr/bin/env node
/** `npm run runbook -- <name> [...]`: see scripts/runbook/cli.ts. */
import { runMain } from './lib/main.ts';
import { main } from './runbook/cli.ts';

await runMain(main);
// Everything is written by now (reports synchronously; stdout and stderr are synchronous on Linux).
// A request still waiting on an API server that stopped answering must not keep the run alive.
process.exit();
