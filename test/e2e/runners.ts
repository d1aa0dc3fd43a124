// Runs a real test runner on the e2e scenarios and normalises its JSON
// report (Vitest's json reporter and Jest's --json share one shape).
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asUser } from '../helpers/accounts.js';
import { REPO } from '../helpers/kernel.js';

export interface ScenarioResult {
  file: string;
  title: string;
  status: 'passed' | 'failed' | 'skipped' | string;
  failure: string;
}

export interface RunResult {
  exitCode: number | null;
  output: string;
  results: ScenarioResult[];
}

export interface RunOptions {
  /** Scenario directory under test/e2e (default `scenarios`), or an absolute path. */
  dir?: string;
  /** A project whose node_modules hold the runner (default: this repository). */
  home?: string;
  /** File name filters. */
  files?: string[];
  env?: Record<string, string>;
  extraArgs?: string[];
  /** Run the runner as this user, with its groups (setpriv); its HOME a fresh directory of its own. */
  user?: string;
}

export interface Runner {
  name: 'vitest' | 'jest';
  run(options?: RunOptions): RunResult;
}

const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** A directory for the runner's report (and, as `user`, its HOME), writable by whoever runs it. */
function scratchDir(user?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vivarium-e2e-report-'));
  if (user) chownSync(dir, Number(execFileSync('id', ['-u', user], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', user], { encoding: 'utf8' })));
  return dir;
}

function runAndRead(command: string[], reportPath: string, env: Record<string, string>, cwd = REPO, user?: string): RunResult {
  if (user) command = [...asUser(user), ...command];
  const child = spawnSync(command[0]!, command.slice(1), {
    cwd,
    env: { ...process.env, ...env, FORCE_COLOR: '0' },
    encoding: 'utf8',
    // Natively ~10 s; in a VM cell under qemu's emulation 300 s and more.
    timeout: 900_000,
  });
  const output = stripAnsi(`${child.stdout}${child.stderr}`);
  let report: { testResults: Array<{ name: string; message?: string; assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }> };
  try {
    report = JSON.parse(readFileSync(reportPath, 'utf8'));
  } catch {
    throw new Error(`${command.join(' ')} wrote no report (exit ${child.status}):\n${output}`);
  }
  const results = report.testResults.flatMap((file) =>
    file.assertionResults.map((a) => ({
      file: file.name.split('/').pop()!,
      title: a.title,
      status: a.status,
      failure: stripAnsi(a.failureMessages.join('\n')),
    })),
  );
  // Errors outside any test (a setup file that threw, ...) are file-level messages.
  const fileErrors = report.testResults.map((f) => stripAnsi(f.message ?? '')).filter(Boolean);
  return { exitCode: child.status, output: [output, ...fileErrors].join('\n'), results };
}

export const vitestRunner: Runner = {
  name: 'vitest',
  run({ dir = 'scenarios', home = REPO, files = [], env = {}, extraArgs = [], user } = {}) {
    const scratch = scratchDir(user);
    const report = join(scratch, 'report.json');
    const command = [
      process.execPath,
      join(home, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--config',
      `${REPO}test/e2e/fixtures/vitest.config.mjs`,
      '--reporter=json',
      `--outputFile=${report}`,
      // Another user may not write the repository's node_modules/.vite-temp, where the config is bundled.
      ...(user ? ['--configLoader', 'runner'] : []),
      ...extraArgs,
      ...files,
    ];
    return runAndRead(command, report, { ...(user ? { HOME: scratch } : {}), ...env, VIVARIUM_E2E_DIR: dir, VIVARIUM_E2E_RUNNER: 'vitest' }, home, user);
  },
};

export const jestRunner: Runner = {
  name: 'jest',
  run({ dir = 'scenarios', home = REPO, files = [], env = {}, extraArgs = [], user } = {}) {
    const scratch = scratchDir(user);
    const report = join(scratch, 'report.json');
    const command = [
      process.execPath,
      join(home, 'node_modules/jest/bin/jest.js'),
      '--config',
      `${REPO}test/e2e/fixtures/jest.config.cjs`,
      '--maxWorkers=2',
      '--ci',
      '--json',
      `--outputFile=${report}`,
      ...extraArgs,
      ...files,
    ];
    return runAndRead(command, report, { ...(user ? { HOME: scratch } : {}), ...env, VIVARIUM_E2E_DIR: dir, VIVARIUM_E2E_RUNNER: 'jest' }, home, user);
  },
};

/** `FAILS[a;b]: …` titles must fail with a message containing a and b; others must pass. */
export function expectationOf(title: string): { fails: boolean; mentions: string[] } {
  const match = /^FAILS\[(.*)\]:/.exec(title);
  return match ? { fails: true, mentions: match[1]!.split(';') } : { fails: false, mentions: [] };
}

/** Scenarios whose outcome is not the one their title asks for, each with why. */
export function wrongOutcomes(results: ScenarioResult[]): string[] {
  return results.flatMap((r) => {
    const { fails, mentions } = expectationOf(r.title);
    if (!fails) return r.status === 'passed' ? [] : [`${r.file} › ${r.title}: ${r.status}\n${r.failure}`];
    if (r.status !== 'failed') return [`${r.file} › ${r.title}: expected to fail, ${r.status}`];
    const absent = mentions.filter((m) => !r.failure.includes(m));
    return absent.length ? [`${r.file} › ${r.title}: message lacks ${absent.join(', ')}:\n${r.failure}`] : [];
  });
}
