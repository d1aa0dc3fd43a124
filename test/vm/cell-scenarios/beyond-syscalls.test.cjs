// What a process asks its libraries for (environment reads, native code
// loads) and what no open shows (directory listings, odd sockets), each with
// its positive matcher and a .not form that names the offender.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const { observe } = require('./lib/adapter.cjs');
const { freshDir } = require('./lib/tmp.cjs');

/** Helpers built with the evasion helper (test/e2e/evasion/Makefile), before the runners start. */
const helper = (name) => path.join(path.dirname(process.env.VIVARIUM_EVADE), name);

describe('env', () => {
  test('process.env reads are getenv calls: the name is seen, never the value', () => {
    process.env.SOME_TOKEN = 'hunter2';
    const seen = observe(() => process.env.SOME_TOKEN);
    expect(seen).toReadEnv(['SOME_TOKEN']);
    expect(seen).not.toReadEnvOutside(['SOME_*']);
    expect(JSON.stringify(seen.events)).not.toContain('hunter2');
    // One read, one getenv: nothing else of the test's reads the variable.
    expect(seen.events.filter((e) => e.kind === 'env' && e.name === 'SOME_TOKEN')).toHaveLength(1);
  });

  test('a child reading a variable is seen too', () => {
    expect(() => execFileSync(process.execPath, ['-e', 'process.env.VIVARIUM_E2E_CHILD_VAR'])).toReadEnv('VIVARIUM_E2E_CHILD_VAR');
  });

  test('FAILS[SOME_TOKEN]: .not.toReadEnvOutside names the variable read', () => {
    expect(() => process.env.SOME_TOKEN).not.toReadEnvOutside(['HOME', 'NODE_*']);
  });
});

describe('load', () => {
  let library;
  beforeAll(() => {
    // A copy of its own: a path no other scenario loads.
    library = path.join(freshDir('load'), 'libvivtest.so');
    fs.copyFileSync(helper('libvivtest.so'), library);
  });

  test('process.dlopen of a shared object is seen, by name and by path', () => {
    const seen = observe(() => {
      // Not an addon: Node refuses it after dlopen loaded it.
      expect(() => process.dlopen({ exports: {} }, library)).toThrow();
    });
    expect(seen).toLoad(['libvivtest.so', library, `${path.dirname(library)}/*.so`]);
  });

  test('FAILS[libvivtest.so]: .not.toLoad names the object loaded', () => {
    expect(() => {
      try {
        process.dlopen({ exports: {} }, library);
      } catch {}
    }).not.toLoad('*.so');
  });
});

describe('list', () => {
  test('a directory listing is seen with its path; the open of the directory counts for toReadFiles', () => {
    const dir = freshDir('list');
    fs.writeFileSync(path.join(dir, 'a.txt'), 'a');
    const seen = observe(() => fs.readdirSync(dir));
    expect(seen).toTrigger('list', dir);
    expect(seen).toReadFiles([dir]);
  });

  test('FAILS[list;/etc]: .not.toTouchOutside names the directory listed', () => {
    expect(() => fs.readdirSync('/etc')).not.toTouchOutside(['/tmp/**']);
  });
});

describe('odd sockets', () => {
  const raw = () => spawnSync(helper('sockets'), ['raw']);

  test('a raw socket created by a child is a privileged act', () => {
    const seen = observe(raw);
    expect(seen).toTrigger('socket');
    expect(seen.events).toContainEqual(expect.objectContaining({ kind: 'socket', family: 'inet', type: 'raw', protocol: 1, child: true }));
  });

  test('the routing netlink socket the C library opens to list addresses is no event', () => {
    expect(() => require('node:os').networkInterfaces()).not.toTrigger('socket');
  });

  test('FAILS[socket;inet raw]: .not.toTrigger names it', () => {
    expect(raw).not.toTrigger('socket');
  });
});
