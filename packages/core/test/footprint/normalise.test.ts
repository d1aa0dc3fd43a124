// The one footprint normaliser: stable words, groups by rule, noise, leftovers
// and blind events kept apart, the same footprint on two machines.
import { describe, expect, test } from 'vitest';
import { EVENT_KINDS } from '../../src/events.js';
import { ruleOf, isBlind } from '../../src/event-kinds.js';
import { footprintOfEvents, groupOf, sizeOf } from '../../src/footprint/normalise.js';
import { collapseTempName, stableText } from '../../src/footprint/stable-text.js';
import { NO_EFFECTS, changes, parseFootprint, renderFootprint } from '../../src/footprint/text.js';
import { SAMPLES, byChild, connect, dns, exec, failed, http, inet, open, openToWrite, rename, request, unobservable } from '../helpers/events.js';

const tokens = { cwd: '/work/app', tmp: '/tmp', home: '/root', rootDir: '/work/app' };

describe('stableText', () => {
  const stable = stableText(tokens);

  test.each([
    ['/work/app/src/a.ts', '<rootDir>/src/a.ts'],
    ['/work/app', '<rootDir>'],
    ['/root/.aws/credentials', '<home>/.aws/credentials'],
    ['/tmp/build-Xa81Qz/out.json', '<tmp>/build-*/out.json'],
    ['/tmp/jest_rs/cache', '<tmp>/jest_rs/cache'],
    ['/tmp/perf-12345.map', '<tmp>/perf-*.map'],
    ['/tmp/plain.txt', '<tmp>/plain.txt'],
    ['/rootfs/x', '/rootfs/x'],
    ['/x/root/y', '/x/root/y'],
    ['/tmpfile', '/tmpfile'],
    ['/etc/hosts', '/etc/hosts'],
    ['127.0.0.1:40123', '127.0.0.1:*'],
    ['[::1]:8080', '[::1]:*'],
    ['[::ffff:127.0.0.1]:5000', '[::ffff:127.0.0.1]:*'],
    ['203.0.113.7:443', '203.0.113.7:443'],
    ['127.0.0.53:53', '127.0.0.53:53'],
    ['[::1]:631', '[::1]:631'],
    ['pid 4242', 'pid *'],
    ['["curl","http://localhost:34567/x","-o","/tmp/dl-AbC123/x"]', '["curl","http://localhost:*/x","-o","<tmp>/dl-*/x"]'],
    ['→ /work/app/out/b.json', '→ <rootDir>/out/b.json'],
    ['unix:/tmp/x/db.sock', 'unix:<tmp>/x/db.sock'],
  ])('%s → %s', (text, expected) => {
    expect(stable(text)).toBe(expected);
  });

  test('the most specific directory wins: a project inside the temp dir is <rootDir>', () => {
    const inTmp = stableText({ cwd: '/tmp/p-1', tmp: '/tmp', home: '/root', rootDir: '/tmp/proj-Q1w2E3' });
    expect(inTmp('/tmp/proj-Q1w2E3/src/a.ts')).toBe('<rootDir>/src/a.ts');
    expect(inTmp('/tmp/other-Q1w2E3/a')).toBe('<tmp>/other-*/a');
  });

  test('a token of / or nothing names nothing', () => {
    const bare = stableText({ cwd: '/', tmp: '/tmp', home: '/', rootDir: '' });
    expect(bare('/etc/hosts')).toBe('/etc/hosts');
  });

  test.each([
    ['vivarium-policy-AbC123', 'vivarium-policy-*'],
    ['x_abcdef', 'x_*'],
    ['report.json', 'report.json'],
    ['run-1712345678901', 'run-*'],
  ])('temp name %s → %s', (name, expected) => {
    expect(collapseTempName(name)).toBe(expected);
  });
});

describe('footprintOfEvents', () => {
  test('grouped by rule, sorted, repeats and counts folded; outcomes, children, pids dropped; noise and rule-less events left out', () => {
    const footprint = footprintOfEvents(
      [
        open('/work/app/src/b.ts'),
        open('/work/app/src/a.ts'),
        open('/work/app/src/a.ts'),
        open('/root/.npmrc', failed('ENOENT')),
        open('/usr/lib/x86_64-linux-gnu/libc.so.6'),
        open('/work/app/node_modules/left-pad/index.js'),
        openToWrite('/tmp/build-Xa81Qz/out.json', byChild),
        rename('rename', '/tmp/build-Xa81Qz/out.json', '/work/app/dist/out.json'),
        exec('/usr/bin/git', ['git', 'status'], byChild),
        exec('/usr/local/bin/git', [], { ...failed('ENOENT'), ...byChild }),
        connect(inet('127.0.0.1', 40123)),
        dns('registry.example.com'),
        SAMPLES.kill,
        SAMPLES.fork,
        SAMPLES.exit,
      ],
      tokens,
    );
    expect(footprint).toEqual({
      read: ['open (read) <home>/.npmrc', 'open (read) <rootDir>/src/a.ts', 'open (read) <rootDir>/src/b.ts'],
      write: ['open (write+create+truncate) <tmp>/build-*/out.json', 'rename <tmp>/build-*/out.json  → <rootDir>/dist/out.json'],
      exec: ['exec /usr/bin/git  ["git","status"]'],
      connect: ['connect 127.0.0.1:*'],
      resolve: ['dns registry.example.com  A via 127.0.0.53:53'],
      privileged: ['kill pid *  signal 9'],
    });
  });

  test('every kind is grouped by its rule, or left out when no rule governs it: a new kind needs no change', () => {
    for (const kind of EVENT_KINDS) {
      const sample = SAMPLES[kind];
      const footprint = footprintOfEvents([sample], { ...tokens, tmp: '/nowhere' });
      const group = groupOf({ rule: ruleOf(sample), ...(isBlind(sample) ? { blind: true as const } : {}) });
      if (group) expect(Object.keys(footprint), kind).toEqual([group]);
      else expect(footprint, kind).toEqual({});
    }
  });

  test('what could not be observed is its own group; a leftover process keeps its mark', () => {
    const leftover = { pid: 777, command: 'node', startedIn: 'serves the api' };
    const footprint = footprintOfEvents([unobservable(), open('/work/app/a.txt'), open('/work/app/a.txt', { leftover })], tokens);
    expect(footprint.unobservable).toEqual([expect.stringMatching(/^unobservable io_uring_setup {2}io_uring runs/)]);
    expect(footprint.read).toEqual(['open (read) <rootDir>/a.txt', 'open (read) <rootDir>/a.txt  [leftover node, started in serves the api]']);
  });

  test('the same run on two machines (other temp dir, home, project dir, ports, pids) has one footprint', () => {
    const run = (t: typeof tokens, port: number, pid: number, temp: string) =>
      footprintOfEvents(
        [
          open(`${t.home}/.aws/credentials`),
          open(`${t.rootDir}/src/config.json`),
          openToWrite(`${t.tmp}/${temp}/out.json`),
          exec('/usr/bin/curl', ['curl', `http://127.0.0.1:${port}/`, '-o', `${t.tmp}/${temp}/x`]),
          connect(inet('127.0.0.1', port)),
          http([request('GET', `https://127.0.0.1:${port}/v1/users`)]),
          { ...SAMPLES.kill, targetPid: pid },
        ],
        t,
      );
    const alice = run({ cwd: '/home/alice/app', tmp: '/tmp', home: '/home/alice', rootDir: '/home/alice/app' }, 40123, 812, 'fp-Xa81Qz');
    const ci = run({ cwd: '/ci/w/app', tmp: '/var/tmp/run-a', home: '/root', rootDir: '/ci/w/app' }, 35001, 99, 'fp-9kLm2P');
    expect(ci).toEqual(alice);
    expect(alice.http).toEqual(['request GET https://127.0.0.1:*/v1/users  HTTP/1.1']);
    expect(sizeOf(alice)).toBe(7);
  });
});

describe('footprint text', () => {
  const footprint = footprintOfEvents([open('/work/app/a'), exec('/usr/bin/ls', ['ls']), dns('example.com')], tokens);

  test('renders a group per line, its lines indented, and parses back from how runners store it', () => {
    const text = renderFootprint(footprint);
    expect(text).toMatchInlineSnapshot(`
      "read
        open (read) <rootDir>/a
      exec
        exec /usr/bin/ls  ["ls"]
      resolve
        dns example.com  A via 127.0.0.53:53"
    `);
    expect(parseFootprint(text)).toEqual(footprint);
    expect(parseFootprint(`\n${text.replace(/^/gm, '    ')}\n  `)).toEqual(footprint);
    expect(renderFootprint({})).toBe(NO_EFFECTS);
    expect(parseFootprint(NO_EFFECTS)).toEqual({});
  });

  test('changes name what appeared and what disappeared, by group', () => {
    const after = footprintOfEvents([open('/work/app/a'), open('/root/.aws/credentials'), dns('example.com')], tokens);
    expect(changes(footprint, after)).toEqual({
      appeared: { read: ['open (read) <home>/.aws/credentials'] },
      disappeared: { exec: ['exec /usr/bin/ls  ["ls"]'] },
    });
  });

  test('a DNS query whose name could not be read stays a line of its own', () => {
    expect(footprintOfEvents([dns('')], tokens)).toEqual({ resolve: ['dns (unparsed)  A via 127.0.0.53:53'] });
  });
});
