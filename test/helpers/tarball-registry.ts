// What a registry would serve for Vivarium's packages, from their `npm pack`
// tarballs: a packument per package and the tarball, on 127.0.0.1. A project
// points the @vivarium scope at it (`@vivarium:registry=URL` in an .npmrc) and
// installs with plain `npm install` / `npm ci`; every other package comes from
// the usual registry.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { REPO } from './kernel.js';

export const PACKAGE_DIRS = ['core', 'daemon', 'vitest-plugin', 'jest-env'];

/** When the served versions say they were published: before any --before date a test resolves at. */
const PUBLISHED = '2026-01-01T00:00:00.000Z';

export interface TarballRegistry {
  url: string;
  tarballs: string[];
  close(): Promise<void>;
}

/** Packs every package into `dir` (what `npm pack` yields) and serves them. */
export async function serveTarballs(dir: string): Promise<TarballRegistry> {
  const packuments = new Map<string, unknown>();
  const files = new Map<string, Buffer>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!).replace(/^\/+/, '');
    const body = files.get(path) ?? (packuments.has(path) ? Buffer.from(JSON.stringify(packuments.get(path))) : undefined);
    if (!body) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    res.writeHead(200, { 'content-type': path.endsWith('.tgz') ? 'application/octet-stream' : 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const tarballs = PACKAGE_DIRS.map((pkg) => {
    const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: join(REPO, 'packages', pkg), encoding: 'utf8' }).trim().split('\n').pop()!;
    const tarball = join(dir, name);
    const data = readFileSync(tarball);
    const manifest = JSON.parse(readFileSync(join(REPO, 'packages', pkg, 'package.json'), 'utf8')) as { name: string; version: string };
    const file = `-/${basename(tarball)}`;
    files.set(file, data);
    packuments.set(manifest.name, {
      name: manifest.name,
      'dist-tags': { latest: manifest.version },
      // As a registry dates each version (npm's --before reads it).
      time: { created: PUBLISHED, modified: PUBLISHED, [manifest.version]: PUBLISHED },
      versions: {
        [manifest.version]: {
          ...manifest,
          _id: `${manifest.name}@${manifest.version}`,
          dist: {
            tarball: `${url}${file}`,
            integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
            shasum: createHash('sha1').update(data).digest('hex'),
          },
        },
      },
    });
    return tarball;
  });
  return { url, tarballs, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
