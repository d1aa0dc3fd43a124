// The footprint snapshot lifecycle on a fresh project, shared by the suite
// of this repository's runners (footprints.test.ts) and the oldest supported
// ones (compat.test.ts): written on the first run, passing on the second,
// refused in CI mode, failing with a diff when a dependency bump starts
// reading a new file (which `vivarium diff` shows and the HTML report marks),
// passing after -u, the same footprints with another temp dir and home, and
// the snapshot of a removed test reported obsolete.
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { FootprintProject, type RunnerName } from './footprint-project.js';

/** Version 2 of the project's dependency: it also reads a file in the home directory. */
const BUMPED_DEPENDENCY = `const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

exports.loadSettings = (dir) => {
  const settings = JSON.parse(fs.readFileSync(path.join(dir, 'data', 'settings.json'), 'utf8'));
  try {
    settings.profile = fs.readFileSync(path.join(os.homedir(), '.aws', 'credentials'), 'utf8');
  } catch {}
  return settings;
};
`;

const NEW_READ = 'open (read) <home>/.aws/credentials';

export interface LifecycleOptions {
  runner: RunnerName;
  /** Where node_modules come from (default: this repository); asked when the lifecycle starts. */
  home?: () => string;
  /** Whether the runner writes inline footprint snapshots (Vitest before 4.1.3 cannot: they are refused). */
  inline: 'written' | 'refused';
}

/** Registers the lifecycle's tests, in order, on one fresh project. */
export function footprintLifecycle({ runner, home, inline }: LifecycleOptions): void {
  let project: FootprintProject;
  beforeAll(() => {
    project = new FootprintProject(runner, home?.());
  });
  const files = inline === 'written' ? undefined : 'app.test.cjs';
  const run = (options: Parameters<FootprintProject['run']>[0] = {}) => project.run({ files, ...options });
  const snapshot = () => project.read('__snapshots__', 'app.test.cjs.snap');

  test('CI mode does not write a new snapshot: the run fails, as the runner’s own snapshots do', () => {
    const ci = run({ ci: true });
    expect(ci.code, ci.output).toBe(1);
    expect(existsSync(project.path('__snapshots__'))).toBe(false);
  });

  test('the first run writes the snapshots, normalised, and passes', () => {
    const first = run();
    expect(first.code, first.output).toBe(0);
    const stored = snapshot();
    expect(stored).toContain('read\n  open (read) <rootDir>/data/settings.json\n');
    expect(stored).toMatch(/write\n {2}mkdir <tmp>\/fp-report-\* {2}0700\n {2}open \(write\+create\+truncate\) <tmp>\/fp-report-\*\/report\.txt\n/);
    expect(stored).toContain('exec\n  exec /usr/bin/uname  ["uname","-s"]\n');
    expect(stored).toContain('connect\n  connect 127.0.0.1:*\n');
    expect(stored).not.toMatch(/\/tmp\/|\/root\b|pid \d/);
    // Each runner lays the inline snapshot out its own way (Jest without prettier re-prints the file).
    if (inline === 'written')
      expect(project.read('inline.test.cjs')).toMatch(
        /toMatchInlineFootprintSnapshot\(`\n\s*read\n\s*open \(read\) <rootDir>\/data\/settings\.json\n\s*`\)[^]*toMatchInlineFootprintSnapshot\(`\n\s*read\n\s*open \(read\) <home>\/\.config\/footprint-project\.json\n/,
      );
  });

  test('the second run passes and writes nothing', () => {
    const [stored, source] = [snapshot(), project.read('inline.test.cjs')];
    const second = run();
    expect(second.code, second.output).toBe(0);
    expect(snapshot()).toBe(stored);
    expect(project.read('inline.test.cjs')).toBe(source);
    writeFileSync(project.path('base.json'), project.read('vivarium-report.json'));
  });

  test('a dependency bump that reads a new file fails, naming what appeared, with the runner’s diff', () => {
    writeFileSync(project.path('deps', 'settings-loader', 'index.cjs'), BUMPED_DEPENDENCY);
    const bumped = run({ env: { FOOTPRINT_BASELINE: 'base.json' } });
    expect(bumped.code).toBe(1);
    expect(bumped.output).toMatch(/Footprint changed: 1 appeared, 0 disappeared\n\s*\+ read: open \(read\) <home>\/\.aws\/credentials\n/);
    // The runner's own diff shows the line too.
    expect(bumped.output.split(NEW_READ).length, bumped.output).toBeGreaterThan(2);
    expect(bumped.output).toMatch(/expect\(fn\)\.toMatchFootprintSnapshot\(\)/);
    writeFileSync(project.path('head.json'), project.read('vivarium-report.json'));
    // The reporter was given the base run: the HTML report marks the new read.
    const html = project.read('vivarium-report.html');
    expect(html).toContain('Compared with <span class="src">base.json</span>');
    expect(html).toMatch(/<a class="fp-item new"[^>]*><code>&#60;home&#62;\/\.aws<\/code>/);
  });

  test('vivarium diff of the two runs shows the new read; --fail-on added exits 1', () => {
    const diff = project.vivarium('diff', 'base.json', 'head.json', '--fail-on', 'added');
    expect(diff.code, diff.output).toBe(1);
    expect(diff.output).toMatch(/^vivarium diff: \d+ effects? added, 0 removed/);
    expect(diff.output).toMatch(new RegExp(`app\\.test\\.cjs > loads its settings\\n {4}\\+ read {9}${NEW_READ.replace(/[()]/g, '\\$&')}`));
    const markdown = project.vivarium('diff', 'base.json', 'head.json', '--markdown');
    expect(markdown.code).toBe(0);
    expect(markdown.output).toContain(`+ read         ${NEW_READ}`);
    expect(markdown.output).toContain('New to the suite (no test of the base run did it):');
  });

  test('-u accepts the new footprint; the next run passes', () => {
    const updated = run({ update: true });
    expect(updated.code, updated.output).toBe(0);
    expect(snapshot()).toContain(NEW_READ);
    if (inline === 'written') expect(project.read('inline.test.cjs')).toContain(NEW_READ);
    const again = run();
    expect(again.code, again.output).toBe(0);
    writeFileSync(project.path('here.json'), project.read('vivarium-report.json'));
  });

  test('another temp dir and another home (another machine): the snapshots hold and the footprints are equal', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'vivarium-elsewhere-'));
    const env = { HOME: join(elsewhere, 'home', 'alice'), TMPDIR: join(elsewhere, 'tmp') };
    for (const dir of Object.values(env)) mkdirSync(dir, { recursive: true });
    const there = run({ env });
    expect(there.code, there.output).toBe(0);
    expect(there.report.tokens).toMatchObject({ home: env.HOME, tmp: env.TMPDIR });
    expect(project.vivarium('footprint', 'vivarium-report.json', '-o', 'there.footprint.json').code).toBe(0);
    expect(project.vivarium('footprint', 'here.json', '-o', 'here.footprint.json').code).toBe(0);
    expect(project.read('there.footprint.json')).toBe(project.read('here.footprint.json'));
    expect(project.vivarium('diff', 'here.json', 'vivarium-report.json', '--fail-on', 'changed')).toEqual({ code: 0, output: expect.stringMatching(/^vivarium diff: no change in the footprint of \d+ tests/) });
  });

  test('a removed test leaves its snapshot obsolete, reported as the runner reports it; -u removes it', () => {
    writeFileSync(project.path('app.test.cjs'), project.read('app.test.cjs').replace(/\ntest\('talks to a local server[^]*$/, '\n'));
    const obsolete = run();
    expect(obsolete.output).toMatch(/1 (snapshot )?obsolete/);
    expect(snapshot()).toContain('talks to a local server');
    const removed = run({ update: true });
    expect(removed.code, removed.output).toBe(0);
    expect(snapshot()).not.toContain('talks to a local server');
  });

  if (inline === 'refused')
    test('an inline footprint snapshot cannot be written by this runner: refused with the footprint to paste', () => {
      const refused = project.run({ files: 'inline.test.cjs' });
      expect(refused.code).toBe(1);
      expect(refused.output).toContain('toMatchInlineFootprintSnapshot() cannot write its inline snapshot under Vitest 3.');
      expect(refused.output).toContain(`read\n  ${NEW_READ}\n  open (read) <rootDir>/data/settings.json\n`);
    });
}
