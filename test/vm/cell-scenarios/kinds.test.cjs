// Beyond opens: programs run, endpoints contacted, names resolved, files
// renamed and deleted — each with its positive matcher and a .not form that
// names the offender. Network traffic stays on loopback.
const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const os = require('node:os');
const dgram = require('node:dgram');
const dns = require('node:dns');
const { execFileSync, spawnSync } = require('node:child_process');
const { observe } = require('./lib/adapter.cjs');
const { freshDir } = require('./lib/tmp.cjs');

describe('exec', () => {
  test('a program run through sh -c is seen, by name and by path', () => {
    const seen = observe(() => execFileSync('sh', ['-c', 'ls / > /dev/null']));
    expect(seen).toExec(['sh', 'ls']);
    expect(seen).toExec('/usr/bin/*');
    const ls = seen.events.find((e) => e.kind === 'exec' && e.argv[0] === 'ls');
    expect(ls.argv).toEqual(['ls', '/']);
    expect(ls.child).toBe(true);
  });

  test('FAILS[/usr/bin/ls;["ls","/"]]: .not.toExecOutside names the program that was not allowed', () => {
    expect(() => execFileSync('sh', ['-c', 'ls / > /dev/null'])).not.toExecOutside(['sh']);
  });

  test('a failed exec is an event with its errno', () => {
    const seen = observe(() => spawnSync('/nonexistent-vivarium/tool'));
    expect(seen.events).toContainEqual(expect.objectContaining({ kind: 'exec', requestedPath: '/nonexistent-vivarium/tool', errno: 'ENOENT' }));
  });
});

describe('connect', () => {
  let tcp;
  let unix;
  let socketPath;
  beforeAll(async () => {
    tcp = net.createServer((s) => s.end()).listen(0, '127.0.0.1');
    socketPath = path.join(freshDir('unix'), 'server.sock');
    unix = net.createServer((s) => s.end()).listen(socketPath);
    await Promise.all([tcp, unix].map((server) => new Promise((resolve) => server.once('listening', resolve))));
  });
  afterAll(() => {
    tcp.close();
    unix.close();
  });
  const connectTo = (...args) => new Promise((resolve, reject) => net.connect(...args).on('close', resolve).on('error', reject));

  test('TCP and Unix socket connections are seen', async () => {
    const port = tcp.address().port;
    const seen = await observe(async () => {
      await connectTo(port, '127.0.0.1');
      await connectTo(socketPath);
    });
    expect(seen).toConnectTo([`127.0.0.1:${port}`, `unix:${socketPath}`]);
    expect(seen).toConnectTo(['localhost:*']);
    expect(seen).not.toConnectOutside(['localhost:*', `unix:${os.tmpdir()}/**`]);
  });

  test('FAILS[connect 127.0.0.1:]: .not.toConnectOutside names the endpoint', async () => {
    const port = tcp.address().port;
    await expect(() => connectTo(port, '127.0.0.1')).not.toConnectOutside(['[::1]:*']);
  });
});

describe('dns', () => {
  const DNS_PORT = Number(process.env.VIVARIUM_E2E_DNS_PORT || 53);
  let server;
  beforeAll(async () => {
    // A tiny resolver on 127.0.0.1:53 that answers NXDOMAIN to everything (a
    // user other than root may not bind 53: another port vivariumd watches, by env).
    server = dgram.createSocket('udp4');
    server.on('message', (query, peer) => {
      const answer = Buffer.from(query);
      answer[2] |= 0x80;
      answer[3] = (answer[3] & 0xf0) | 3;
      server.send(answer, peer.port, peer.address);
    });
    await new Promise((resolve) => server.bind(DNS_PORT, '127.0.0.1', resolve));
  });
  afterAll(() => server.close());

  const resolve = async (name) => {
    const resolver = new dns.promises.Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`127.0.0.1:${DNS_PORT}`]);
    await resolver.resolve4(name).catch(() => {});
  };

  test('the name asked for is seen, not just the resolver address', async () => {
    const seen = await observe(() => resolve('service.vivarium.test'));
    expect(seen).toResolve(['service.vivarium.test', '*.vivarium.test']);
    expect(seen).not.toResolveOutside(['**.vivarium.test']);
    expect(seen.events).toContainEqual(expect.objectContaining({ kind: 'dns', name: 'service.vivarium.test', type: 'A' }));
  });

  test('FAILS[tracker.example.invalid]: .not.toResolveOutside names the host', async () => {
    await expect(() => resolve('tracker.example.invalid')).not.toResolveOutside(['**.vivarium.test']);
  });
});

describe('files changed', () => {
  test('renames and deletions in a temp dir are seen with both paths', () => {
    const dir = freshDir('rename');
    const seen = observe(() => {
      fs.writeFileSync(path.join(dir, 'a.txt'), 'x');
      fs.renameSync(path.join(dir, 'a.txt'), path.join(dir, 'b.txt'));
      fs.mkdirSync(path.join(dir, 'sub'));
      fs.rmdirSync(path.join(dir, 'sub'));
      fs.unlinkSync(path.join(dir, 'b.txt'));
    });
    expect(seen).toWriteFiles(path.join(dir, 'a.txt'));
    expect(seen).toDeleteFiles([path.join(dir, 'b.txt'), path.join(dir, 'sub')]);
    expect(seen.events).toContainEqual(expect.objectContaining({ kind: 'rename', path: path.join(dir, 'a.txt'), to: path.join(dir, 'b.txt') }));
    expect(seen).not.toWriteOutside([`${dir}/**`]);
    expect(seen).toTrigger('mkdir', `${dir}/*`);
  });

  test('FAILS[rename;/elsewhere-vivarium]: a rename out of the allowed tree is a write outside', () => {
    const dir = freshDir('escape');
    fs.writeFileSync(path.join(dir, 'a.txt'), 'x');
    expect(() => {
      try {
        fs.renameSync(path.join(dir, 'a.txt'), '/elsewhere-vivarium/a.txt');
      } catch {
        // the attempt is what matters
      }
    }).not.toWriteOutside([`${dir}/**`]);
  });

  test('reads are not writes', () => {
    expect(() => fs.readFileSync('/etc/hostname')).toReadFiles('/etc/hostname');
    expect(() => fs.readFileSync('/etc/hostname')).not.toWriteOutside(['/nothing/**']);
  });
});

describe('privileged acts', () => {
  test('signalling another process is a kill event; nothing here changes uid', () => {
    const seen = observe(() => spawnSync('sh', ['-c', 'sleep 5 & kill $!; wait']));
    expect(seen).toTrigger('kill');
    expect(seen).not.toTrigger('setuid');
    expect(seen.events).toContainEqual(expect.objectContaining({ kind: 'kill', signal: 15 }));
  });
});
