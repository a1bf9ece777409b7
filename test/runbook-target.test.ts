import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../scripts/lib/io.ts';
import { which } from '../scripts/lib/process.ts';
import { resolveTarget } from '../scripts/runbook/target.ts';

/**
 * `--context` runs through a private kubeconfig holding only that context, in another folder.
 * Every path kubectl would resolve against the user's kubeconfig folder must still reach the
 * same file from the copy, whatever the current folder: certificate files, and an exec plugin
 * given as a relative path (`./bin/get-token`), which client-go resolves against the folder of
 * the kubeconfig it loads.
 */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-target-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const kubectl = which('kubectl', process.env);

// Two kubeconfig files in their own folders, listed in KUBECONFIG, each with relative paths.
const a = path.join(tmp, 'home', 'a');
const b = path.join(tmp, 'home', 'b');
fs.mkdirSync(path.join(a, 'pki'), { recursive: true });
fs.mkdirSync(path.join(b, 'bin'), { recursive: true });
fs.mkdirSync(path.join(b, 'secrets'), { recursive: true });
const files = { ca: 'CA certificate bytes\n', crt: 'client certificate bytes\n', key: 'client key bytes\n' };
fs.writeFileSync(path.join(a, 'pki', 'ca.crt'), files.ca);
fs.writeFileSync(path.join(a, 'pki', 'client.crt'), files.crt);
fs.writeFileSync(path.join(a, 'pki', 'client.key'), files.key);
fs.writeFileSync(path.join(b, 'secrets', 'token'), 'a-token\n');
const plugin = path.join(b, 'bin', 'get-token');
const ran = path.join(b, 'bin', 'ran');
// The exec plugin leaves a mark beside itself, so a test can see that kubectl found and ran it.
fs.writeFileSync(
  plugin,
  `#!/bin/sh\ntouch ${JSON.stringify(ran)}\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-plugin"}}'\n`,
  { mode: 0o755 },
);
fs.writeFileSync(
  path.join(a, 'config'),
  YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'certs',
    clusters: [{ name: 'c-certs', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority': 'pki/ca.crt' } }],
    contexts: [{ name: 'certs', context: { cluster: 'c-certs', user: 'certs' } }],
    users: [{ name: 'certs', user: { 'client-certificate': 'pki/client.crt', 'client-key': './pki/client.key' } }],
  }),
);
fs.writeFileSync(
  path.join(b, 'config'),
  YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c-exec', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } }],
    contexts: [
      { name: 'exec', context: { cluster: 'c-exec', user: 'exec' } },
      { name: 'token', context: { cluster: 'c-exec', user: 'token' } },
    ],
    users: [
      {
        name: 'exec',
        user: {
          exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './bin/get-token', interactiveMode: 'Never' },
        },
      },
      { name: 'token', user: { tokenFile: 'secrets/token' } },
    ],
  }),
);
const elsewhere = fs.mkdtempSync(path.join(tmp, 'elsewhere-'));
const env = {
  KUBECONFIG: [path.join(a, 'config'), path.join(b, 'config')].join(path.delimiter),
  PATH: process.env.PATH,
  HOME: tmp,
  VDOCS_CACHE_DIR: path.join(tmp, 'cache'),
};

/** The private kubeconfig of a context, written as a run would write it. */
function privateCopy(context: string): {
  file: string;
  config: { clusters: { cluster: Record<string, unknown> }[]; users: { user: Record<string, any> }[] };
} {
  const target = resolveTarget({ context, sandbox: undefined }, memoryIo(env, elsewhere));
  target.save();
  return { file: target.kubeconfig, config: YAML.parse(fs.readFileSync(target.kubeconfig, 'utf8')) };
}

/** A path field of the copy reaches `real`: embedded (…-data) or an absolute path to it. */
function reaches(entry: Record<string, unknown>, field: string, real: string): void {
  const data = entry[`${field}-data`];
  if (data !== undefined) expect(Buffer.from(String(data), 'base64').toString()).toBe(fs.readFileSync(real, 'utf8'));
  else expect(entry[field]).toBe(real);
}

describe('the private kubeconfig for --context', () => {
  it('needs a kubectl on PATH (the one runs use)', () => {
    expect(kubectl, 'kubectl on PATH').toBeDefined();
  });

  it('keeps certificate files reachable from any folder (embedded or absolute)', () => {
    const { file, config } = privateCopy('certs');
    expect(path.dirname(file)).not.toBe(a);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    reaches(config.clusters[0]!.cluster, 'certificate-authority', path.join(a, 'pki', 'ca.crt'));
    reaches(config.users[0]!.user, 'client-certificate', path.join(a, 'pki', 'client.crt'));
    reaches(config.users[0]!.user, 'client-key', path.join(a, 'pki', 'client.key'));
  });

  it('resolves a relative exec plugin against the kubeconfig that named it, and kubectl runs it from another folder', () => {
    const { file, config } = privateCopy('exec');
    expect(config.users[0]!.user.exec.command).toBe(plugin);
    fs.rmSync(ran, { force: true });
    // The plugin runs before kubectl connects (the API address refuses): the mark proves it was found.
    const r = spawnSync(kubectl!, ['--kubeconfig', file, 'get', '--raw', '/version', '--request-timeout=5s'], {
      cwd: os.tmpdir(),
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: tmp },
    });
    expect(r.stderr).not.toMatch(/get-token|no such file/);
    expect(fs.existsSync(ran), `kubectl ran ${plugin}: ${r.stderr}`).toBe(true);
  });

  it('resolves a relative tokenFile against the kubeconfig that named it', () => {
    const { config } = privateCopy('token');
    expect(config.users[0]!.user.tokenFile).toBe(path.join(b, 'secrets', 'token'));
  });
});
