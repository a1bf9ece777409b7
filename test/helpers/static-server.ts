/**
 * A tiny static file server for a built site, bound to 127.0.0.1 on a free port.
 * Serves `outDir` under `base` (default `/`), directories as their index.html, 404.html otherwise.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  /** Origin plus base, with a trailing slash, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  /** The origin alone, e.g. `http://127.0.0.1:41234`. */
  origin: string;
  close(): Promise<void>;
}

export async function serveStatic(outDir: string, base = '/'): Promise<StaticServer> {
  const prefix = base.endsWith('/') ? base : `${base}/`;
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.startsWith(prefix) ? resolveFile(outDir, path.slice(prefix.length)) : undefined;
    const status = file ? 200 : 404;
    const body = file ?? resolveFile(outDir, '404.html');
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(status, { 'content-type': TYPES[extname(body)] ?? 'application/octet-stream' });
    createReadStream(body).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}${prefix}`,
    origin,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** The file for a request path inside `outDir`, or undefined (never outside `outDir`). */
function resolveFile(outDir: string, relativePath: string): string | undefined {
  const candidate = normalize(join(outDir, relativePath));
  if (!candidate.startsWith(normalize(outDir))) return undefined;
  const stat = statSync(candidate, { throwIfNoEntry: false });
  if (stat?.isFile()) return candidate;
  if (stat?.isDirectory()) return resolveFile(outDir, join(relativePath, 'index.html'));
  return undefined;
}
