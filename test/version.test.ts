import { describe, expect, it } from 'vitest';
import { atLeast, majorMinor, minorOf, parseVersion, requireVersion } from '../scripts/model/version.ts';

describe('Kubernetes versions, one parser', () => {
  it.each([
    ['v1.37.0', '1.37.0', '1.37', 37],
    ['1.37.0', '1.37.0', '1.37', 37],
    ['1.24', '1.24.0', '1.24', 24],
    ['v1.25', '1.25.0', '1.25', 25],
    ['v1.24.17+k3s1', '1.24.17', '1.24', 24],
    ['v1.31.0-rc.1', '1.31.0-rc.1', '1.31', 31],
    [' 1.24 ', '1.24.0', '1.24', 24],
  ])('%j is %s: matrix key %s, minor %i', (text, version, key, minor) => {
    expect(parseVersion(text)?.version).toBe(version);
    expect(majorMinor(text)).toBe(key);
    expect(minorOf(text)).toBe(minor);
  });

  it.each([['latest'], ['1'], ['1.37.0.0'], ['1.37+x'], ['01.37'], ['']])('%j is not a version', (text) => {
    expect(parseVersion(text)).toBeUndefined();
    expect(majorMinor(text)).toBeUndefined();
    expect(minorOf(text)).toBeNaN();
    expect(() => requireVersion(text)).toThrow(`not a semantic version: ${text}`);
  });

  it.each([
    ['v1.37.0', '1.31', true],
    ['v1.31.0', '1.31', true],
    ['v1.31.0-rc.1', '1.31', true],
    ['v1.30.14', '1.31', false],
    ['v1.24.17', '1.25', false],
    ['1.25', '1.25', true],
  ])('atLeast(%s, %s) is %s', (version, since, result) => {
    expect(atLeast(version, since)).toBe(result);
  });
});
