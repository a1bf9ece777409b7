import { runMain } from './lib/main.ts';
import { prereqsMain } from './prereqs/main.ts';

await runMain(prereqsMain);
