// Bad input to vivariumd: one line on stderr naming the problem, a usage
// exit code, and nothing pinned or attached.
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { skipKernelTests } from '../helpers/kernel.js';
import { pinDirFor, vivariumd } from './lib/daemon.js';

const PIN_DIR = pinDirFor('bad-input');

describe('vivariumd refuses bad options in one line', () => {
  test.each([
    [['--rings', '0'], 'vivariumd: --rings must be between 1 and 1024, got 0'],
    [['--ring-size', '1000'], 'vivariumd: --ring-size must be a power of two between 4096 and 1073741824, got 1000'],
    [['--backend', 'foo'], "vivariumd: --backend must be auto, syscalls or lsm, got 'foo'"],
    [['--rings', 'many'], "vivariumd: --rings must be a whole number, got 'many'"],
    [['--group=bad name'], "vivariumd: --group must be a group name or number, got 'bad name'"],
    [['restart'], "vivariumd: unknown command 'restart' (run, status or stop)"],
  ])('vivariumd %j', (args, message) => {
    const r = vivariumd(['--pin-dir', PIN_DIR, ...args]);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 2, stdout: '', stderr: `${message}\n` });
    expect(existsSync(PIN_DIR)).toBe(false);
  });

  test('a multi-line parseArgs complaint still comes out as one line', () => {
    const r = vivariumd(['--pin-dir', PIN_DIR, '--rings', '-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vivariumd: Option '--rings' argument is ambiguous\. [^\n]+ \(see vivariumd --help\)\n$/);
  });
});

describe.skipIf(skipKernelTests())('vivariumd refuses what it cannot use, as root, before touching the kernel', () => {
  test.each([
    [['--group', 'vivarium-no-such-group'], 'vivariumd: --group vivarium-no-such-group: no such group (groupadd vivarium-no-such-group, then usermod -aG vivarium-no-such-group USER)'],
    [['--object', '/nonexistent/vivarium.bpf.o'], 'vivariumd: BPF object /nonexistent/vivarium.bpf.o not found (npm run build:bpf)'],
  ])('vivariumd %j', (args, message) => {
    const r = vivariumd(['--pin-dir', PIN_DIR, ...args]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: `${message}\n` });
    expect(existsSync(PIN_DIR)).toBe(false);
  });

  test('status and stop of a pin dir nobody serves say so in one line', () => {
    const st = vivariumd(['status', '--pin-dir', PIN_DIR]);
    expect({ code: st.code, stderr: st.stderr }).toEqual({
      code: 1,
      stderr: `vivarium: no pinned map at ${PIN_DIR}/meta: vivariumd is not running (start it as root: npx vivariumd)\n`,
    });
    const stop = vivariumd(['stop', '--pin-dir', PIN_DIR]);
    expect({ code: stop.code, stdout: stop.stdout }).toEqual({ code: 0, stdout: `vivariumd: nothing pinned at ${PIN_DIR}\n` });
  });
});
