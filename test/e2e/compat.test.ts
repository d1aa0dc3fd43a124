// The oldest runner versions we support, as a user gets them: Vivarium's
// packages packed with `npm pack` and installed from the tarballs next to
// Vitest 3 and Jest 29 in a fresh project outside this repository, which
// then runs the shared scenario suite and the footprint snapshot lifecycle.
// (The newest that installs here — Vitest 4, Jest 30 — is what
// scenarios.test.ts and footprints.test.ts run.)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { REPO, skipKernelTests } from '../helpers/kernel.js';
import { footprintLifecycle } from './footprint-lifecycle.js';
import { jestRunner, vitestRunner, wrongOutcomes } from './runners.js';

const skip = skipKernelTests();
const OLDEST = ['vitest@3', 'jest@29', 'jest-environment-node@29'];

describe.skipIf(skip)('oldest supported runners (packed tarballs, fresh project)', () => {
  let project: string;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'vivarium-compat-'));
    const tarballs = ['core', 'vitest-plugin', 'jest-env'].map((pkg) =>
      join(project, execFileSync('npm', ['pack', '--silent', '--pack-destination', project], { cwd: join(REPO, 'packages', pkg), encoding: 'utf8' }).trim().split('\n').pop()!),
    );
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'vivarium-compat', private: true }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...OLDEST, ...tarballs], { cwd: project, stdio: 'pipe', timeout: 280_000 });
    cpSync(join(REPO, 'test/e2e/scenarios'), join(project, 'scenarios'), { recursive: true });
  }, 300_000);

  test.each([vitestRunner, jestRunner])('$name: every scenario has the expected outcome', (runner) => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', runner.name, 'package.json'), 'utf8')).version;
    expect(installed).toMatch(runner.name === 'vitest' ? /^3\./ : /^29\./);
    const run = runner.run({ home: project, dir: join(project, 'scenarios') });
    expect(new Set(run.results.map((r) => r.file)).size, run.output).toBeGreaterThan(5);
    expect(wrongOutcomes(run.results)).toEqual([]);
  });

  // Vitest 3 writes inline snapshots only into its own toMatchInlineSnapshot() calls.
  describe('footprint snapshots under Vitest 3', () => footprintLifecycle({ runner: 'vitest', home: () => project, inline: 'refused' }));
  describe('footprint snapshots under Jest 29', () => footprintLifecycle({ runner: 'jest', home: () => project, inline: 'written' }));
});
