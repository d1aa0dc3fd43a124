import { describe, expect, test } from 'vitest';
import { compileEndpointPatterns } from '../src/policy/endpoint-patterns.js';
import { compileHostPatterns } from '../src/policy/host-patterns.js';
import { compileProgramPatterns } from '../src/policy/program-patterns.js';
import { compileActPatterns, compileSubjectPatterns } from '../src/policy/subject-patterns.js';
import { decodeSockaddr } from '../src/sockaddr.js';

const tokens = { cwd: '/work', tmp: '/tmp', home: '/root', rootDir: '/work' };

function sockaddrIn(address: string, port: number): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, 2, true);
  dv.setUint16(2, port, false);
  address.split('.').forEach((octet, i) => (b[4 + i] = Number(octet)));
  return b;
}

function sockaddrIn6(words: number[], port: number): Uint8Array {
  const b = new Uint8Array(28);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, 10, true);
  dv.setUint16(2, port, false);
  words.forEach((w, i) => dv.setUint16(8 + 2 * i, w, false));
  return b;
}

function sockaddrUn(path: string, abstract = false): Uint8Array {
  const name = Buffer.from(path);
  const b = new Uint8Array(2 + (abstract ? 1 : 0) + name.length + (abstract ? 0 : 1));
  new DataView(b.buffer).setUint16(0, 1, true);
  b.set(name, abstract ? 3 : 2);
  return b;
}


describe('decodeSockaddr', () => {
  test.each([
    [sockaddrIn('127.0.0.1', 5432), '127.0.0.1:5432'],
    [sockaddrIn6([0, 0, 0, 0, 0, 0, 0, 1], 53), '[::1]:53'],
    [sockaddrIn6([0xfd00, 0, 0, 0, 0, 0, 0xa, 0xb], 443), '[fd00::a:b]:443'],
    [sockaddrIn6([0, 0, 0, 0, 0, 0xffff, 0x7f00, 0x0001], 80), '[::ffff:127.0.0.1]:80'],
    [sockaddrUn('/run/x.sock'), 'unix:/run/x.sock'],
    [sockaddrUn('bus', true), 'unix:@bus'],
  ])('%#: %s', (bytes, text) => {
    expect(decodeSockaddr(bytes).text).toBe(text);
  });
});

describe('endpoint patterns', () => {
  const m = compileEndpointPatterns(['127.0.0.1:5432', '[::1]:*', '10.0.0.0/8:443', 'unix:/run/*.sock', 'unix:@bus', 'unix:<tmp>/*.sock'], tokens, 'test');
  test.each([
    [sockaddrIn('127.0.0.1', 5432), ['127.0.0.1:5432']],
    [sockaddrIn('127.0.0.1', 5433), []],
    [sockaddrIn6([0, 0, 0, 0, 0, 0, 0, 1], 9), ['[::1]:*']],
    [sockaddrIn('10.1.2.3', 443), ['10.0.0.0/8:443']],
    [sockaddrIn6([0, 0, 0, 0, 0, 0xffff, 0x0a01, 0x0203], 443), ['10.0.0.0/8:443']],
    [sockaddrIn('11.0.0.1', 443), []],
    [sockaddrUn('/run/x.sock'), ['unix:/run/*.sock']],
    [sockaddrUn('bus', true), ['unix:@bus']],
    [sockaddrUn('/tmp/db.sock'), ['unix:<tmp>/*.sock']],
  ])('%#', (bytes, expected) => {
    expect(m.matching(decodeSockaddr(bytes))).toEqual(expected);
  });

  test('localhost means loopback of either family', () => {
    const local = compileEndpointPatterns('localhost:*', tokens, 'test');
    expect(local.matching(decodeSockaddr(sockaddrIn('127.0.0.53', 53)))).toEqual(['localhost:*']);
    expect(local.matching(decodeSockaddr(sockaddrIn6([0, 0, 0, 0, 0, 0, 0, 1], 1)))).toEqual(['localhost:*']);
    expect(local.matching(decodeSockaddr(sockaddrIn('192.168.1.1', 1)))).toEqual([]);
  });

  test.each(['127.0.0.1', 'example.com:80', '1.2.3.4:99999', '10.0.0.0/40:1', 'unix:', ':80', '[::1:80'])(
    'bad endpoint %s is a TypeError naming it',
    (pattern) => {
      expect(() => compileEndpointPatterns(pattern, tokens, 'test')).toThrow(TypeError);
      expect(() => compileEndpointPatterns(pattern, tokens, 'test')).toThrow(`'${pattern}'`);
    },
  );
});

describe('host patterns', () => {
  const m = compileHostPatterns(['example.com', '*.api.test', '**.corp.test'], tokens, 'test');
  test.each([
    ['example.com', ['example.com']],
    ['EXAMPLE.com.', ['example.com']],
    ['a.example.com', []],
    ['v1.api.test', ['*.api.test']],
    ['a.v1.api.test', []],
    ['corp.test', ['**.corp.test']],
    ['x.y.corp.test', ['**.corp.test']],
  ])('%s', (name, expected) => {
    expect(m.matching(name)).toEqual(expected);
  });

  test.each(['exa mple.com', 'a..b', '/etc', 'x:1'])('bad host %s is a TypeError', (pattern) => {
    expect(() => compileHostPatterns(pattern, tokens, 'test')).toThrow(TypeError);
  });
});

describe('program patterns', () => {
  const exec = (path: string, requested = path) => ({ path, requested });
  const m = compileProgramPatterns(['sh', 'python*', '/usr/bin/*', '<cwd>/bin/tool'], tokens, 'test');
  test.each([
    [exec('/usr/bin/dash', '/bin/sh'), ['sh', '/usr/bin/*']],
    [exec('/usr/local/bin/python3.11'), ['python*']],
    [exec('/work/bin/tool'), ['<cwd>/bin/tool']],
    [exec('/opt/x'), []],
  ])('%#', (program, expected) => {
    expect(m.matching(program)).toEqual(expected);
  });
});

describe('act patterns', () => {
  test('privileged kinds by name', () => {
    expect(compileActPatterns(['setuid', 'mount'], tokens, 'test').matching('mount')).toEqual(['mount']);
    expect(compileActPatterns(['setuid'], tokens, 'test').matching('kill')).toEqual([]);
  });

  test.each(['chmod', 'file_open', 'root'])('%s is not a privileged kind: a TypeError listing them', (kind) => {
    expect(() => compileActPatterns(kind, tokens, 'allow.privileged')).toThrow(
      `vivarium: allow.privileged: '${kind}' is not a privileged event kind (one of setuid, setgid, ptrace, kill, mount, capset, setgroups, unshare, setns, chroot, pivot_root, bpf, module, process_vm, perf_event, kexec, reboot, pidfd_getfd, socket)`,
    );
  });
});

describe('compileSubjectPatterns', () => {
  test('matches subjects of its type only', () => {
    const m = compileSubjectPatterns('path', '/etc/**', tokens, 'test');
    expect(m.matching({ type: 'path', value: '/etc/hosts' })).toEqual(['/etc/**']);
    expect(m.matching({ type: 'program', value: { path: '/etc/x', requested: '/etc/x' } })).toEqual([]);
  });
});
