import { describe, expect, test } from 'vitest';
import { UsageError, parseOptions } from '../src/options.js';

describe('vivariumd options', () => {
  test('defaults', () => {
    expect(parseOptions([])).toMatchObject({
      command: 'run',
      backend: 'auto',
      rings: 1024,
      ringSize: 4 << 20,
      maxTargets: 16384,
      dnsPorts: [53],
      group: undefined,
      pinDir: '/sys/fs/bpf/vivarium',
      socket: '/run/vivarium/vivarium.sock',
    });
  });

  test('the socket follows the pin dir unless named', () => {
    expect(parseOptions(['--pin-dir', '/sys/fs/bpf/vivarium-e2e']).socket).toBe('/run/vivarium/vivarium-e2e.sock');
    expect(parseOptions(['--pin-dir', '/sys/fs/bpf/ci/shard-1']).socket).toBe('/run/vivarium/ci-shard-1.sock');
    expect(parseOptions(['--socket', '/tmp/v.sock']).socket).toBe('/tmp/v.sock');
  });

  test('--dns-port takes a list; 0 turns DNS events off', () => {
    expect(parseOptions(['--dns-port', '53,5353']).dnsPorts).toEqual([53, 5353]);
    expect(parseOptions(['--dns-port', '0']).dnsPorts).toEqual([]);
  });

  test('--uprobes picks the uprobe-fed kinds (in the table\'s order); --no-uprobes none; all by default', () => {
    expect(parseOptions([]).uprobes).toEqual(['env', 'load', 'http']);
    expect(parseOptions(['--uprobes', 'load,env']).uprobes).toEqual(['env', 'load']);
    expect(parseOptions(['--uprobes', 'http']).uprobes).toEqual(['http']);
    expect(parseOptions(['--no-uprobes']).uprobes).toEqual([]);
  });

  test.each([
    [['--uprobes', 'env,tls'], "vivariumd: --uprobes takes kinds among env, load, http, comma-separated, got 'env,tls' (none at all: --no-uprobes)"],
    [['--uprobes', ''], "vivariumd: --uprobes takes kinds among env, load, http, comma-separated, got '' (none at all: --no-uprobes)"],
    [['--uprobes', 'env', '--no-uprobes'], 'vivariumd: --uprobes and --no-uprobes contradict each other (give one)'],
  ])('--uprobes %j: %s', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(new UsageError(message));
  });

  test('--uprobes-idle: seconds without a worker before the uprobes go (60 by default), off: never', () => {
    expect(parseOptions([]).uprobesIdle).toBe(60);
    expect(parseOptions(['--uprobes-idle', '5']).uprobesIdle).toBe(5);
    expect(parseOptions(['--uprobes-idle', 'off']).uprobesIdle).toBeUndefined();
  });

  test.each([
    [['--uprobes-idle', 'soon'], "vivariumd: --uprobes-idle takes seconds or off, got 'soon'"],
    [['--uprobes-idle', '0'], 'vivariumd: --uprobes-idle must be between 1 and 2147483 seconds, got 0 (off: never detach them)'],
    [['--uprobes-idle', '9999999'], 'vivariumd: --uprobes-idle must be between 1 and 2147483 seconds, got 9999999 (off: never detach them)'],
  ])('--uprobes-idle %j: %s', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(new UsageError(message));
  });

  test('--group takes a name or a number', () => {
    expect(parseOptions(['--group', 'vivarium']).group).toBe('vivarium');
    expect(parseOptions(['--group', '1001']).group).toBe('1001');
  });

  test.each([
    [['--rings', '0'], 'vivariumd: --rings must be between 1 and 65536, got 0'],
    [['--rings', '70000'], 'vivariumd: --rings must be between 1 and 65536, got 70000'],
    [['--max-targets', '8'], 'vivariumd: --max-targets must be between 16 and 1048576, got 8'],
    [['--rings=-1'], "vivariumd: --rings must be a whole number, got '-1'"],
    [['--rings', '4x'], "vivariumd: --rings must be a whole number, got '4x'"],
    [['--ring-size', '1000'], 'vivariumd: --ring-size must be a power of two between 4096 and 1073741824, got 1000'],
    [['--ring-size', '12288'], 'vivariumd: --ring-size must be a power of two between 4096 and 1073741824, got 12288'],
    [['--ring-size', String(2 ** 31)], 'vivariumd: --ring-size must be a power of two between 4096 and 1073741824, got 2147483648'],
    [['--backend', 'foo'], "vivariumd: --backend must be auto, syscalls or lsm, got 'foo'"],
    [['--dns-port', '70000'], 'vivariumd: --dns-port ports must be between 1 and 65535, got 70000'],
    [['--dns-port', '1,2,3,4,5'], 'vivariumd: --dns-port takes at most 4 ports, got 5'],
    [['--dns-port', '53,x'], "vivariumd: --dns-port must be a whole number, got 'x'"],
    [['--group', 'a b'], "vivariumd: --group must be a group name or number, got 'a b'"],
    [['--group=-x'], "vivariumd: --group must be a group name or number, got '-x'"],
    [['frobnicate'], "vivariumd: unknown command 'frobnicate' (run, status or stop)"],
    [['stop', 'now'], "vivariumd: unexpected argument 'now'"],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(new UsageError(message));
  });

  test.each([[['--ringz', '4']], [['--rings', '-1']], [['--group']]])('%j: parseArgs errors name the flag, on one line', (argv) => {
    let message = '';
    try {
      parseOptions(argv);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`'${argv[0]}`);
    expect(message).toMatch(/^vivariumd: [^\n]+ \(see vivariumd --help\)$/);
  });
});
