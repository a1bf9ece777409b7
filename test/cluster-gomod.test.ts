import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../scripts/lib/io.ts';
import { EnvironmentError } from '../scripts/lib/errors.ts';
import { downloadGoMod, findGo, goEnv } from '../scripts/cluster/build.ts';
import { imageTarget } from '../scripts/cluster/targets.ts';
import runbook from '../runbooks/metallb.ts';
import { kubernetesWrapper, moduleWrapper, readGoMod, toolsGo, type GoMod } from '../scripts/cluster/gomod.ts';

// A few lines in the shape of k8s.io/kubernetes' go.mod (1.24 pins third-party modules too).
const K8S_MOD = `// This is a generated file. Do not edit directly.
module k8s.io/kubernetes

go 1.26.0

godebug default=go1.26

require (
	github.com/spf13/cobra v1.10.0
	k8s.io/api v0.0.0
)

replace (
	cloud.google.com/go => cloud.google.com/go v0.81.0
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/client-go => ./staging/src/k8s.io/client-go // a comment
	k8s.io/local => ../somewhere
)

replace github.com/single/line => github.com/single/line v1.2.3
`;

const METALLB_MOD = `module go.universe.tf/metallb\n\ngo 1.16\n\nrequire k8s.io/client-go v0.20.2\n\nreplace (\n\tk8s.io/api => k8s.io/api v0.20.2\n\tk8s.io/kubernetes => k8s.io/kubernetes v1.20.2\n)\n`;

// go.mod files are read by Go (`go mod edit -json`): these texts are written to files first.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-gomod-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
async function read(name: string, text: string): Promise<GoMod> {
  const file = path.join(scratch, name, 'go.mod');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return readGoMod(findGo(process.env), file, goEnv(process.env));
}

let k8s: GoMod;
let metallb: GoMod;
beforeAll(async () => {
  [k8s, metallb] = await Promise.all([read('k8s', K8S_MOD), read('metallb', METALLB_MOD)]);
});

describe('readGoMod (go mod edit -json)', () => {
  it('reads module, go, godebug, requires and both replace forms', () => {
    const mod = k8s;
    expect(mod.module).toBe('k8s.io/kubernetes');
    expect(mod.go).toBe('1.26.0');
    expect(mod.godebug).toEqual(['default=go1.26']);
    expect(mod.require).toEqual([
      { path: 'github.com/spf13/cobra', version: 'v1.10.0' },
      { path: 'k8s.io/api', version: 'v0.0.0' },
    ]);
    expect(mod.replace).toContainEqual({ from: 'k8s.io/client-go', to: './staging/src/k8s.io/client-go' });
    expect(mod.replace).toContainEqual({
      from: 'github.com/single/line',
      to: 'github.com/single/line',
      toVersion: 'v1.2.3',
    });
  });

  it('a go.mod Go cannot read fails with the message of go itself, naming the file', async () => {
    const error = (await read('broken', 'module example.com/x\n\nrequire (\n').catch(
      (e: unknown) => e,
    )) as EnvironmentError;
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.code).toBe('GO_MOD_DOWNLOAD_FAILED');
    expect(error.message).toContain(
      `$ ${findGo(process.env)} mod edit -json ${path.join(scratch, 'broken', 'go.mod')}`,
    );
    expect(error.message).toContain('go.mod:');
  });
});

describe('kubernetesWrapper', () => {
  const text = () => kubernetesWrapper(k8s, 'v1.37.0', 'v0.37.0');
  it.each([
    ['requires k8s.io/kubernetes at the version', 'require k8s.io/kubernetes v1.37.0'],
    ['copies godebug', 'godebug default=go1.26'],
    ['keeps the go directive', 'go 1.26.0'],
    ['rewrites staging replaces to the v0.N.P module', '\tk8s.io/api => k8s.io/api v0.37.0'],
    ['rewrites every staging replace', '\tk8s.io/client-go => k8s.io/client-go v0.37.0'],
    ['copies version pins as they are', '\tcloud.google.com/go => cloud.google.com/go v0.81.0'],
    ['copies single-line replaces', '\tgithub.com/single/line => github.com/single/line v1.2.3'],
  ])('%s', (_, line) => {
    expect(text().split('\n')).toContain(line);
  });
  it('drops replaces into local folders and never mentions staging/', () => {
    expect(text()).not.toContain('../somewhere');
    expect(text()).not.toContain('staging/');
  });
});

describe('moduleWrapper (the images a runbook declares)', () => {
  it('requires MetalLB, bumps reflect2 and json-iterator as the runbook declares, copies the replace block', async () => {
    const controller = runbook.images!.find((i) => i.image === 'quay.io/metallb/controller:v0.11.0')!;
    const target = imageTarget(controller);
    expect([target.component, target.version, target.binaries, target.packages]).toEqual([
      'metallb-controller',
      'v0.11.0',
      ['controller'],
      ['go.universe.tf/metallb/controller'],
    ]);
    const lines = (
      await target.goMod(async (module, version) => {
        expect([module, version]).toEqual(['go.universe.tf/metallb', 'v0.11.0']);
        return metallb;
      })
    ).split('\n');
    expect(lines).toContain('require go.universe.tf/metallb v0.11.0');
    expect(lines).toContain('require github.com/modern-go/reflect2 v1.0.2');
    expect(lines).toContain('require github.com/json-iterator/go v1.1.12');
    expect(lines).toContain('\tk8s.io/api => k8s.io/api v0.20.2');
    expect(lines).toContain('\tk8s.io/kubernetes => k8s.io/kubernetes v1.20.2');
  });
  it('refuses the go.mod of another module', () => {
    expect(() => moduleWrapper(metallb, 'go.universe.tf/other', 'v1.0.0', {})).toThrow(
      'expected the go.mod of go.universe.tf/other, got go.universe.tf/metallb',
    );
  });
});

it('tools.go imports the commands behind a build tag', () => {
  expect(toolsGo(['k8s.io/kubernetes/cmd/kubectl'])).toBe(
    '//go:build tools\n\npackage tools\n\nimport (\n\t_ "k8s.io/kubernetes/cmd/kubectl"\n)\n',
  );
});

describe('with the real go.mod from the module proxy', () => {
  it('every `=> ./staging/src/` line of k8s.io/kubernetes v1.37.0 becomes a v0.37.0 replace', async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-gomod-'));
    const io = memoryIo({ ...process.env, VDOCS_CACHE_DIR: cache });
    const upstream = await downloadGoMod(findGo(io.env), 'k8s.io/kubernetes', 'v1.37.0', io);
    const staging = upstream.replace.filter((r) => r.to.startsWith('./staging/src/'));
    expect(staging.length).toBeGreaterThan(25);
    const wrapper = kubernetesWrapper(upstream, 'v1.37.0', 'v0.37.0').split('\n');
    for (const r of staging) expect(wrapper).toContain(`\t${r.from} => ${r.from} v0.37.0`);
    fs.rmSync(cache, { recursive: true, force: true });
  }, 60_000);
});

describe('missing Go', () => {
  it('names go, says how to install it, and exits 2', () => {
    let error: unknown;
    try {
      findGo({ PATH: '/nonexistent' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvironmentError);
    const e = error as EnvironmentError;
    expect(e.code).toBe('GO_NOT_FOUND');
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('go');
    expect(e.hint).toContain('https://go.dev/doc/install');
    expect(`${e.message}\n힌트: ${e.hint}`).toMatchSnapshot();
  });
});
