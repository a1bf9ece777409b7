import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

/**
 * A copy of a page with one mutation, written to `dir/name`, for the tests that prove a wrong value
 * on the page turns its step red. The mutation must change the page (a no-op would prove nothing).
 */
export function pageCopy(page: string, dir: string, name: string, mutate: (source: string) => string): string {
  const source = fs.readFileSync(page, 'utf8');
  const copy = mutate(source);
  expect(copy, 'the mutation changed the page').not.toBe(source);
  const file = path.join(dir, name);
  fs.writeFileSync(file, copy);
  return file;
}
