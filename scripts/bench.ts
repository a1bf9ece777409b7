#!/usr/bin/env node
/** `npm run bench [...]`: see scripts/bench/cli.ts. */
import { runMain } from './lib/main.ts';
import { main } from './bench/cli.ts';

await runMain(main);
