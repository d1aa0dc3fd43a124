// Provenance end to end: with VIVARIUM_PROVENANCE=1, every offending event in
// a failure names the JS call site and npm package behind it, under both
// runners (the scenarios and their fixture dependencies: scenarios-provenance/).
import { describe, expect, test } from 'vitest';
import { skipKernelTests } from '../helpers/kernel.js';
import { jestRunner, vitestRunner, wrongOutcomes } from './runners.js';

const skip = skipKernelTests();

describe.skipIf(skip).each([vitestRunner, jestRunner])('$name adapter', (runner) => {
  test('failures name the package, its version and the file:line of the call', () => {
    const run = runner.run({ dir: 'scenarios-provenance', env: { VIVARIUM_PROVENANCE: '1' } });
    // Jest runs only the CommonJS file; Vitest also the TypeScript one (.test.mts).
    expect(run.results.length, run.output).toBe(runner.name === 'vitest' ? 11 : 10);
    expect(wrongOutcomes(run.results)).toEqual([]);
  }, 300_000);

  test('without provenance, no call sites are shown', () => {
    const run = runner.run({ dir: 'scenarios-provenance', files: ['provenance.test.cjs'], env: { VIVARIUM_PROVENANCE: '0' } });
    const failure = run.results.find((r) => r.title.includes('fixture-reader@1.2.8'))!.failure;
    expect(failure).toContain('/etc/hosts');
    expect(failure).not.toContain('fixture-reader@1.2.8');
  }, 300_000);
});
