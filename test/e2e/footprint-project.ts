// A fresh copy of fixtures/footprint-project, and its test runs under a real
// runner (this repository's, or the oldest supported ones the compat suite
// installs), each leaving its vivarium-report.json.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '@vivarium/core';
import { REPO } from '../helpers/kernel.js';

export type RunnerName = 'vitest' | 'jest';

export interface ProjectRun {
  code: number | null;
  output: string;
  report: Report;
}

export interface RunOptions {
  /** Accept every new and changed snapshot (-u). */
  update?: boolean;
  /** CI mode: new snapshots are not written. */
  ci?: boolean;
  env?: Record<string, string>;
  /** Which test files (default: all). */
  files?: string;
}

/** Environment variables that make a runner believe it runs in CI. */
const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION', 'GITHUB_ACTIONS', 'GITLAB_CI', 'BUILDKITE', 'BUILD_NUMBER', 'RUN_ID'];

export class FootprintProject {
  readonly dir: string;

  /** `home`: where node_modules (the runners and @vivarium packages) come from. */
  constructor(
    readonly runner: RunnerName,
    private readonly home = REPO,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `vivarium-footprint-${runner}-`));
    cpSync(join(REPO, 'test/e2e/fixtures/footprint-project'), this.dir, { recursive: true });
    symlinkSync(join(home, 'node_modules'), join(this.dir, 'node_modules'));
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  read(...parts: string[]): string {
    return readFileSync(this.path(...parts), 'utf8');
  }

  run({ update = false, ci = false, env = {}, files }: RunOptions = {}): ProjectRun {
    const modules = join(this.home, 'node_modules');
    const command =
      this.runner === 'vitest'
        ? [join(modules, 'vitest/vitest.mjs'), 'run', ...(update ? ['-u'] : [])]
        : [join(modules, 'jest/bin/jest.js'), `--ci=${ci}`, ...(update ? ['-u'] : [])];
    const base: Record<string, string | undefined> = { ...process.env };
    for (const name of CI_VARIABLES) delete base[name];
    const child = spawnSync(process.execPath, command, {
      cwd: this.dir,
      env: { ...base, ...(ci ? { CI: 'true' } : {}), ...(files ? { FOOTPRINT_FILES: files } : {}), ...env, FORCE_COLOR: '0' },
      encoding: 'utf8',
      timeout: 240_000,
    });
    const output = `${child.stdout}${child.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
    let report: Report;
    try {
      report = JSON.parse(this.read('vivarium-report.json')) as Report;
    } catch (cause) {
      throw new Error(`${this.runner} in ${this.dir} wrote no vivarium-report.json (exit ${child.status}):\n${output}`, { cause });
    }
    return { code: child.status, output, report };
  }

  /** `vivarium ARGS...` of the @vivarium/core this project uses. */
  vivarium(...args: string[]): { code: number | null; output: string } {
    const bin = join(this.home, 'node_modules/@vivarium/core/bin/vivarium.js');
    const child = spawnSync(process.execPath, [bin, ...args], { cwd: this.dir, encoding: 'utf8' });
    return { code: child.status, output: `${child.stdout}${child.stderr}` };
  }
}
