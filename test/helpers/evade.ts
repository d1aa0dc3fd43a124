// The evasion scenarios' helper program (test/e2e/evasion/evade.c), built
// with the machine's C compiler; its path is what the scenarios run.
import { execFileSync } from 'node:child_process';
import { REPO } from './kernel.js';

export function buildEvade(): string {
  execFileSync('make', ['-s', '-C', `${REPO}test/e2e/evasion`], { stdio: 'pipe' });
  return `${REPO}test/e2e/evasion/build/evade`;
}
