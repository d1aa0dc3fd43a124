// Which code did it: every offending event names the JS call site and the npm
// package behind it (run with VIVARIUM_PROVENANCE=1). The dependencies are
// fixtures in ./node_modules.
const dns = require('node:dns');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const reader = require('fixture-reader');
const spawner = require('@fixture/spawner');
const connector = require('fixture-connector');
const { observe } = require('./lib/adapter.cjs');

let server;
let httpServer;
beforeAll(async () => {
  server = net.createServer((socket) => socket.end());
  httpServer = http.createServer((_req, res) => res.end('ok'));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
});
afterAll(() => {
  server.close();
  httpServer.close();
});

describe('a dependency reading a file outside the project', () => {
  test('FAILS[/etc/hosts;fixture-reader/index.js:5:;fixture-reader@1.2.8]: sync', () => {
    expect(() => reader.readSync('/etc/hosts')).not.toOpenOutside(['/nowhere/**']);
  });

  test('FAILS[/etc/hosts;fixture-reader/index.js:9:;fixture-reader@1.2.8]: async (thread pool)', async () => {
    await expect(() => reader.readAsync('/etc/hosts')).not.toOpenOutside(['/nowhere/**']);
  });

  test('FAILS[/etc/hosts;fixture-reader/index.js:17:;fixture-reader@1.2.8]: a read stream (opened by Node later)', async () => {
    await expect(() => reader.readStream('/etc/hosts')).not.toOpenOutside(['/nowhere/**']);
  });

  test('the event carries the call site, the package and a short stack', () => {
    const seen = observe(() => reader.readSync('/etc/hosts'));
    const open = seen.events.find((e) => e.kind === 'file_open' && e.path === '/etc/hosts');
    expect(open.origin.api).toBe('fs.readFileSync');
    expect(open.origin.package).toEqual({ name: 'fixture-reader', version: '1.2.8' });
    expect(open.origin.site.line).toBe(5);
    expect(open.origin.site.file).toMatch(/node_modules\/fixture-reader\/index\.js$/);
    expect(open.origin.stack.length).toBeGreaterThan(1);
    expect(open.origin.stack.length).toBeLessThanOrEqual(5);
  });
});

describe('a dependency running a program', () => {
  test('FAILS[/usr/bin/true;spawner/index.js:5:;@fixture/spawner@0.3.1]: sync', () => {
    expect(() => spawner.runSync('/usr/bin/true', [])).not.toExecOutside(['/usr/bin/env']);
  });

  test('FAILS[/usr/bin/true;spawner/index.js:10:;@fixture/spawner@0.3.1]: async', async () => {
    await expect(() => spawner.runAsync('/usr/bin/true', [])).not.toExecOutside(['/usr/bin/env']);
  });
});

describe('a dependency connecting to a loopback server', () => {
  test('FAILS[connect 127.0.0.1:;fixture-connector/index.js:7:;fixture-connector@2.0.0]: net.connect', async () => {
    await expect(() => connector.ping(server.address().port, '127.0.0.1')).not.toConnectOutside(['[::1]:*']);
  });

  test('FAILS[connect 127.0.0.1:;fixture-connector/index.js:17:;fixture-connector@2.0.0]: http.get', async () => {
    await expect(() => connector.get(httpServer.address().port, '127.0.0.1')).not.toConnectOutside(['[::1]:*']);
  });
});

describe("the test's own calls", () => {
  test('FAILS[/etc/hostname;provenance.test.cjs:73:]: sync, no package', () => {
    expect(() => fs.readFileSync('/etc/hostname')).not.toOpenOutside(['/nowhere/**']);
  });

  test("FAILS[/etc/hosts;provenance.test.cjs:77:]: dns.lookup's thread-pool reads", async () => {
    await expect(() => dns.promises.lookup('localhost')).not.toOpenOutside(['/nowhere/**']);
  });
});
