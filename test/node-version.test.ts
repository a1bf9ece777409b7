import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * One Node.js story: any Node.js 20 or later with npm 11 installs the project (`npm ci`), which
 * brings the Node.js the scripts run on (the `node` package, first on PATH in npm scripts); GitHub's
 * workflows start on that same major (.nvmrc), and the README says both.
 */
describe('the Node.js versions', () => {
  const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as {
    engines: { node: string };
    devDependencies: Record<string, string>;
  };
  const runtime = /^\^?(\d+)\./.exec(pkg.devDependencies['node'] ?? '')?.[1];

  it('agree: engines is what installs, the node package and .nvmrc what runs, and the README says both', () => {
    expect(pkg.engines.node).toBe('>=20');
    expect(runtime).toBeDefined();
    expect(fs.readFileSync('.nvmrc', 'utf8').trim()).toBe(runtime);
    const readme = fs.readFileSync('README.md', 'utf8');
    expect(readme).toContain('Node.js 20 이상과 npm 11');
    expect(readme).toContain(`Node.js ${runtime} 를 npm 레지스트리에서 설치합니다`);
  });

  it('the scripts really run on that Node.js (npm puts node_modules/.bin first)', () => {
    expect(process.versions.node.split('.')[0]).toBe(runtime);
  });
});
