import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** One layout for all TypeScript (prettier, configured in .prettierrc.json; what it covers is in .prettierignore). */
describe('formatting', () => {
  it('prettier finds every covered file formatted (fix: npx prettier --write .)', () => {
    const r = spawnSync('node_modules/.bin/prettier', ['--list-different', '.'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 150_000);
});
