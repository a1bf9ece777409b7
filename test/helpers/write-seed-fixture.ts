/**
 * Regenerates test/fixtures/metallb-seed-outline.json from ../shared/seed/metallb.md.
 * The site tests use the fixture only when the seed is not beside the repository;
 * test/site-content.test.ts checks the fixture still matches the seed when it is.
 *
 *   node test/helpers/write-seed-fixture.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { outline, SEED_FIXTURE, SEED_PATH } from './markdown.ts';

writeFileSync(SEED_FIXTURE, `${JSON.stringify(outline(readFileSync(SEED_PATH, 'utf8')), null, 2)}\n`);
console.log(`wrote ${SEED_FIXTURE}`);
