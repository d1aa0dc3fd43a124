// Version skew: pins left by a vivariumd of another ABI are refused by
// workers, status and vivariumd itself, with both sides named. The foreign
// pins are crafted here with the same libbpf calls the daemon uses.
import { mkdirSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { Abi, AbiMismatchError, Layout, MapType, Worker, closeFd, loadLibbpf, u32Bytes, view } from '@vivarium/core';
import { skipKernelTests } from '../helpers/kernel.js';
import { pinDirFor, startDaemon, vivariumd, wipe } from './lib/daemon.js';

const PIN_DIR = pinDirFor('skew');
const skip = skipKernelTests();

/** Pins a fresh map at PIN_DIR/name, optionally with one value at key 0. */
function pinMap(name: string, type: number, keySize: number, valueSize: number, maxEntries: number, value?: Uint8Array): void {
  const lib = loadLibbpf();
  const fd = lib.bpf_map_create(type, name, keySize, valueSize, maxEntries, null);
  expect(fd, 'bpf_map_create').toBeGreaterThanOrEqual(0);
  try {
    if (value) expect(lib.bpf_map_update_elem(fd, u32Bytes(0), value, 0)).toBe(0);
    expect(lib.bpf_obj_pin(fd, `${PIN_DIR}/${name}`)).toBe(0);
  } finally {
    closeFd(fd);
  }
}

/** A meta value as a daemon of `abi` would write it (dead daemon pid). */
function metaOf(abi: number, size: number = Layout.viv_meta.size): Uint8Array {
  const bytes = new Uint8Array(size);
  const dv = view(bytes);
  dv.setUint32(Layout.viv_meta.abi_version.offset, abi, true);
  dv.setUint32(Layout.viv_meta.backend.offset, 1, true);
  dv.setUint32(Layout.viv_meta.ring_count.offset, 4, true);
  dv.setUint32(Layout.viv_meta.ring_size.offset, 1 << 20, true);
  return bytes;
}

function makeDir(): void {
  rmSync(PIN_DIR, { recursive: true, force: true });
  mkdirSync(PIN_DIR, { mode: 0o700 });
}

describe.skipIf(skip)('pins of another ABI', () => {
  afterEach(async () => {
    await wipe(PIN_DIR);
  });

  test(`meta says ABI 999: workers, status and vivariumd refuse, naming 999 and ${Abi.ABI_VERSION}`, async () => {
    makeDir();
    pinMap('meta', MapType.ARRAY, 4, Layout.viv_meta.size, 1, metaOf(999));

    const refused = (() => {
      try {
        Worker.register({ pinDir: PIN_DIR });
      } catch (err) {
        return err as Error;
      }
      throw new Error('registered against ABI 999');
    })();
    expect(refused).toBeInstanceOf(AbiMismatchError);
    expect(refused.message).toBe(
      `vivarium: vivariumd speaks ABI 999, this client ABI ${Abi.ABI_VERSION} (run vivariumd from the same Vivarium version as the test packages)`,
    );

    const st = vivariumd(['status', '--pin-dir', PIN_DIR]);
    expect(st.code).toBe(1);
    expect(st.stderr).toContain(`vivariumd speaks ABI 999, this client ABI ${Abi.ABI_VERSION}`);

    const run = vivariumd(['--pin-dir', PIN_DIR]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `vivariumd: ${PIN_DIR} holds the pins of a vivariumd speaking ABI 999; this vivariumd speaks ABI ${Abi.ABI_VERSION} (vivariumd stop --pin-dir ${PIN_DIR}, then start again)\n`,
    );

    // The fix the message names works.
    expect(vivariumd(['stop', '--pin-dir', PIN_DIR]).code).toBe(0);
    const daemon = await startDaemon(PIN_DIR, ['--rings', '2', '--ring-size', '65536']);
    const worker = Worker.register({ pinDir: PIN_DIR });
    expect(worker.meta.abiVersion).toBe(Abi.ABI_VERSION);
    worker.unregister();
    await daemon.kill();
  });

  test('meta of another layout: refused, naming every difference', () => {
    makeDir();
    pinMap('meta', MapType.ARRAY, 4, Layout.viv_meta.size + 8, 2, metaOf(2, Layout.viv_meta.size + 8));
    const expected = `value size ${Layout.viv_meta.size + 8}, expected ${Layout.viv_meta.size}; max entries 2, expected 1`;

    expect(() => Worker.register({ pinDir: PIN_DIR })).toThrow(
      new AbiMismatchError(
        `vivarium: ${PIN_DIR}/meta does not match this client: ${expected} (restart vivariumd from the same Vivarium version as the test packages)`,
      ),
    );
    const run = vivariumd(['--pin-dir', PIN_DIR]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `vivariumd: ${PIN_DIR} holds the pins of another Vivarium ABI: its meta map has ${expected}; this vivariumd speaks ABI ${Abi.ABI_VERSION} (vivariumd stop --pin-dir ${PIN_DIR}, then start again)\n`,
    );
  });

  test('a current meta but config_targets of another layout: the worker names the map and the difference', () => {
    makeDir();
    const meta = metaOf(Abi.ABI_VERSION);
    pinMap('meta', MapType.ARRAY, 4, Layout.viv_meta.size, 1, meta);
    pinMap('config_targets', MapType.HASH, 4, Layout.viv_target.size, 64);
    expect(() => Worker.register({ pinDir: PIN_DIR })).toThrow(
      `vivarium: ${PIN_DIR}/config_targets does not match this client: key size 4, expected ${Layout.viv_target_key.size}`,
    );
  });
});
