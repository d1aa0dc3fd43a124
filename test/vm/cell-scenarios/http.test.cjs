// HTTP requests sent through TLS: seen as plaintext at SSL_write (Node's own
// OpenSSL, and the system's libssl for a curl child), kept as method, host
// and path only. Servers are local, on 127.0.0.1, with a certificate made
// for the run.
const fs = require('node:fs');
const path = require('node:path');
const https = require('node:https');
const http2 = require('node:http2');
const { execFile, execFileSync, spawnSync } = require('node:child_process');
const { promisify } = require('node:util');
const { observe } = require('./lib/adapter.cjs');
const { freshDir } = require('./lib/tmp.cjs');

let tls;
let certFile;
let server;
let h2server;
let port;
let h2port;

beforeAll(async () => {
  const dir = freshDir('tls');
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  tls = { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
  certFile = cert;
  server = https.createServer(tls, (req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  h2server = http2.createSecureServer(tls, (req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await Promise.all([server, h2server].map((s) => new Promise((resolve) => s.listen(0, '127.0.0.1', resolve))));
  port = server.address().port;
  h2port = h2server.address().port;
});

afterAll(() => {
  server.close();
  h2server.close();
});

/** One HTTPS request with node:https; resolves when the answer was read. */
function request(method, target, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    // A Host header of another name: the certificate is still 127.0.0.1's.
    const options = { host: '127.0.0.1', port, method, path: target, headers, ca: tls.cert, agent: false, servername: '', checkServerIdentity: () => undefined };
    const req = https.request(options, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Requests on one HTTP/2 connection, one after another. */
async function h2(requests) {
  const session = http2.connect(`https://127.0.0.1:${h2port}`, { ca: tls.cert });
  try {
    for (const [method, target, body] of requests)
      await new Promise((resolve, reject) => {
        const stream = session.request({ ':method': method, ':path': target, authorization: 'Bearer h2-secret' });
        stream.on('error', reject);
        stream.resume();
        stream.on('end', resolve);
        stream.end(body);
      });
  } finally {
    session.close();
  }
}

describe('HTTP/1.1 over TLS (node:https)', () => {
  test('method, host and path are seen; query, headers and body are not', async () => {
    const seen = await observe(() =>
      request('POST', '/v1/users?token=query-secret', { headers: { authorization: 'Bearer header-secret' }, body: 'body-secret' }),
    );
    expect(seen).toRequest(`POST https://127.0.0.1:${port}/v1/users`);
    expect(seen).toRequest(['POST https://127.0.0.1:*/v1/**', 'https://127.0.0.1:*']);
    expect(seen).not.toRequestOutside(['https://127.0.0.1:*/v1/**']);
    const [event] = seen.events.filter((e) => e.kind === 'http');
    expect(event).toMatchObject({ protocol: 'HTTP/1.1', requests: [{ method: 'POST', scheme: 'https', host: '127.0.0.1', port, path: '/v1/users' }] });
    expect(JSON.stringify(seen.events)).not.toMatch(/secret/);
  });

  test('the Host header names the host, as a client sent it', async () => {
    const seen = await observe(() => request('GET', '/v1/items/7', { headers: { host: 'api.example.test' } }));
    expect(seen).toRequest('GET https://api.example.test/v1/**');
    expect(seen).toRequest('GET https://**.example.test/v1/items/*');
  });

  test('FAILS[POST https://127.0.0.1;/admin/reset]: .not.toRequestOutside names the request that was not allowed', async () => {
    await expect(async () => {
      await request('GET', '/v1/health');
      await request('POST', '/admin/reset?confirm=yes');
    }).not.toRequestOutside(['GET https://127.0.0.1:*/v1/**']);
  });

  test('FAILS[Never requested;DELETE https://127.0.0.1:*/v1/**]: toRequest names the pattern no request matched', async () => {
    await expect(() => request('GET', '/v1/health')).toRequest(['GET https://127.0.0.1:*/v1/health', 'DELETE https://127.0.0.1:*/v1/**']);
  });
});

describe('HTTP/2 over TLS (node:http2)', () => {
  test('requests on one connection are decoded (HPACK, Huffman, the dynamic table)', async () => {
    const seen = await observe(() =>
      h2([
        ['GET', '/h2/items?page=2'],
        ['POST', '/h2/items/upload', 'body-secret'],
        ['GET', '/h2/items?page=3'],
      ]),
    );
    expect(seen).toRequest([`GET https://127.0.0.1:${h2port}/h2/items`, 'POST https://127.0.0.1:*/h2/items/upload']);
    expect(seen).not.toRequestOutside(['https://127.0.0.1:*/h2/**']);
    const requests = seen.events.filter((e) => e.kind === 'http').flatMap((e) => e.requests);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /h2/items', 'POST /h2/items/upload', 'GET /h2/items']);
    expect(requests.every((r) => r.unknown === undefined)).toBe(true);
    expect(JSON.stringify(seen.events)).not.toMatch(/secret|page=/);
  });

  test('a large upload (300 kB of DATA frames) leaves the connection followed', async () => {
    const seen = await observe(() => h2([['POST', '/h2/upload', Buffer.alloc(300_000, 'x')], ['GET', '/h2/after']]));
    const requests = seen.events.filter((e) => e.kind === 'http').flatMap((e) => e.requests);
    expect(requests.map((r) => r.unknown ?? `${r.method} ${r.path}`)).toEqual(['POST /h2/upload', 'GET /h2/after']);
  });

  test('FAILS[GET https://127.0.0.1;/h2/private]: .not.toRequestOutside judges HTTP/2 requests too', async () => {
    await expect(() => h2([['GET', '/h2/private']])).not.toRequestOutside(['https://127.0.0.1:*/h2/public/**']);
  });
});

const curl = spawnSync('curl', ['--version']).status === 0;

describe('a child using the system libssl', () => {
  // Asynchronous: the server answering curl runs in this process.
  (curl ? test : test.skip)('curl: its request is seen through libssl', async () => {
    const seen = await observe(() =>
      promisify(execFile)('curl', ['-sS', '--http1.1', '--cacert', certFile, `https://127.0.0.1:${port}/curl/path?q=secret`]),
    );
    expect(seen).toExec('curl');
    expect(seen).toRequest('GET https://127.0.0.1:*/curl/path');
    expect(seen.events.find((e) => e.kind === 'http').child).toBe(true);
  });
});
