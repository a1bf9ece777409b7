import { runMain } from '../lib/main.ts';
import { main } from './cli.ts';

/**
 * The whole `npm run runbook` program as one module, so that it is bundled as one (fast-start.ts):
 * the errors `main` throws and the error classes `runMain` recognises (exit code 2 for a usage
 * error) must come from the same copy of lib/errors.ts.
 */
export const program = (): Promise<void> => runMain(main);
