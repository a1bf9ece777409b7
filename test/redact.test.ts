import { describe, expect, it } from 'vitest';
import { captureSecrets, Redactor } from '../scripts/runbook/redact.ts';

const jwt =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6bWV0YWxsYi1zeXN0ZW06Y29udHJvbGxlciJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU';

describe('Redactor', () => {
  it.each([
    [
      'a ServiceAccount token (JWT) anywhere in a line',
      `Authorization: Bearer ${jwt}`,
      'Authorization: Bearer [비밀 값 가림]',
    ],
    ['a token inside YAML', `    token: ${jwt}\n`, '    token: [비밀 값 가림]\n'],
    ['text without secrets', 'configmap/config created', 'configmap/config created'],
  ])('%s', (_name, input, output) => {
    expect(new Redactor().apply(input)).toBe(output);
  });

  it('redacts values a step marks secret, everywhere after they are seen', () => {
    const r = new Redactor();
    captureSecrets(r, /secretkey: (\S+)/, 'data:\n  secretkey: c3VwZXItc2VjcmV0LXZhbHVl\n');
    expect(r.apply('the key is c3VwZXItc2VjcmV0LXZhbHVl, again c3VwZXItc2VjcmV0LXZhbHVl')).toBe(
      'the key is [비밀 값 가림], again [비밀 값 가림]',
    );
  });

  it('uses the whole match when the pattern has no group, and ignores values too short to be secrets', () => {
    const r = new Redactor();
    captureSecrets(r, /pw-[a-z]+/, 'pw-hunter pw-x');
    expect(r.apply('pw-hunter')).toBe('[비밀 값 가림]');
    r.add('abc');
    expect(r.apply('abc')).toBe('abc');
  });
});
