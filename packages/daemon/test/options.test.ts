import { describe, expect, test } from 'vitest';
import { UsageError, parseOptions } from '../src/options.js';

describe('vivariumd options', () => {
  test('defaults', () => {
    expect(parseOptions([])).toMatchObject({ command: 'run', backend: 'auto', rings: 64, ringSize: 4 << 20, dnsPort: 53, group: undefined });
  });

  test('--group takes a name or a number', () => {
    expect(parseOptions(['--group', 'vivarium']).group).toBe('vivarium');
    expect(parseOptions(['--group', '1001']).group).toBe('1001');
  });

  test.each([
    [['--rings', '0'], 'vivariumd: --rings must be between 1 and 1024, got 0'],
    [['--rings', '2000'], 'vivariumd: --rings must be between 1 and 1024, got 2000'],
    [['--rings=-1'], "vivariumd: --rings must be a whole number, got '-1'"],
    [['--rings', '4x'], "vivariumd: --rings must be a whole number, got '4x'"],
    [['--ring-size', '1000'], 'vivariumd: --ring-size must be a power of two between 4096 and 1073741824, got 1000'],
    [['--ring-size', '12288'], 'vivariumd: --ring-size must be a power of two between 4096 and 1073741824, got 12288'],
    [['--ring-size', String(2 ** 31)], 'vivariumd: --ring-size must be a power of two between 4096 and 1073741824, got 2147483648'],
    [['--backend', 'foo'], "vivariumd: --backend must be auto, syscalls or lsm, got 'foo'"],
    [['--dns-port', '70000'], 'vivariumd: --dns-port must be between 0 and 65535, got 70000'],
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
