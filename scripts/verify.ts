#!/usr/bin/env node
/** `npm run verify [...]`: see scripts/verify/cli.ts. */
import { runMain } from './lib/main.ts';
import { main } from './verify/cli.ts';

await runMain(main);
