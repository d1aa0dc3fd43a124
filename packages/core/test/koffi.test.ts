// core loads koffi's prebuilt binary itself; anything loading koffi the usual
// way afterwards must get the same instance (types declared through one are
// unknown to another).
import { createRequire } from 'node:module';
import { expect, test } from 'vitest';
import { koffi } from '../src/koffi.js';

const require = createRequire(import.meta.url);

test.runIf(process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64'))('core takes the prebuilt binary, and koffi loaded the usual way is the same instance', () => {
  const binary = require.resolve(`@koromix/koffi-linux-${process.arch}/linux_${process.arch}/koffi.node`, { paths: [require.resolve('koffi')] });
  expect(require.cache[binary]?.exports).toBe(koffi);
  expect((require('koffi') as { default: unknown }).default).toBe(koffi);
  // Usable: a type declared through core's instance is known by name to the other.
  koffi.struct('vivarium_koffi_test_pair', { a: 'int32_t', b: 'int32_t' });
  expect((require('koffi') as typeof koffi).sizeof('vivarium_koffi_test_pair')).toBe(8);
});
