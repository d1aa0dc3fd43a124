// The `vivarium` command run in-process: its exit code and what it printed
// (stdout lines and console.error alike), in order.
import { vi } from 'vitest';
import { main } from '../../src/cli/vivarium.js';

export function runCli(...argv: string[]): { code: number; out: string } {
  const out: string[] = [];
  const err = vi.spyOn(console, 'error').mockImplementation((line: string) => void out.push(line));
  try {
    return { code: main(argv, (line) => out.push(line)), out: out.join('\n') };
  } finally {
    err.mockRestore();
  }
}
