import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** No export that nothing imports (knip, configured in knip.json): an export is a promise that something uses it. */
describe('unused exports', () => {
  it('knip finds none in scripts/, runbooks/, src/ and test/', () => {
    const r = spawnSync(
      'node_modules/.bin/knip',
      ['--include', 'exports,types', '--no-progress', '--no-config-hints'],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 150_000);
});
