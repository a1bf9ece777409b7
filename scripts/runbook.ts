#!/usr/bin/env node
/** `npm run runbook -- <name> [...]`: see scripts/runbook/cli.ts. */
import { runMain } from './lib/main.ts';
import { main } from './runbook/cli.ts';

await runMain(main);
