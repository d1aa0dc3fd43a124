// A process's memory opened for writing: the kinds fed by uprobes cannot be
// vouched for in that window, nor in later ones while the process lives.
import { describe, expect, test } from 'vitest';
import { NO_GAPS, addGaps, assertAvailable } from '../src/completeness.js';
import { UnavailableKindError } from '../src/errors.js';
import { RewrittenMemory } from '../src/rewritten-memory.js';
import { byChild, event, failed, open, privileged } from './helpers/events.js';

const readWrite = { flags: 2, access: 'read-write' as const };

describe('RewrittenMemory', () => {
  test('an open of /proc/PID/mem for writing blinds that window and the later ones', () => {
    const memory = new RewrittenMemory();
    memory.see(open('/proc/10/mem', readWrite));
    const reason = memory.endWindow();
    expect(reason).toMatch(/^pid 10 opened \/proc\/10\/mem for writing: .*breakpoints.* of pid 10\b.*environment reads, library loads and TLS requests may then go unseen until it exits/);
    expect(memory.endWindow()).toBe(reason); // the worker itself never exits
  });

  test('a thread\'s memory file, and procfs mounted elsewhere, count too', () => {
    for (const path of ['/proc/10/task/11/mem', '/tmp/proc/10/mem']) {
      const memory = new RewrittenMemory();
      memory.see(open(path, { flags: 1, access: 'write' }));
      expect(memory.endWindow(), path).toContain(path);
    }
  });

  test('reading a memory file, failing to open one, and other files named mem do not', () => {
    const memory = new RewrittenMemory();
    memory.see(open('/proc/10/mem'));
    memory.see(open('/proc/10/mem', { ...readWrite, ...failed('EACCES') }));
    memory.see(open('/home/me/project/mem', readWrite));
    memory.see(open('/proc/10/smem', readWrite));
    expect(memory.endWindow()).toBeUndefined();
  });

  test('ptrace writing a process\'s memory (PTRACE_POKETEXT, PTRACE_POKEDATA) blinds until that process exits', () => {
    for (const [request, name] of [[4, 'PTRACE_POKETEXT'], [5, 'PTRACE_POKEDATA']] as const) {
      const memory = new RewrittenMemory();
      memory.see(event('ptrace', { request, targetPid: byChild.pid }));
      expect(memory.endWindow()).toMatch(new RegExp(`^pid \\d+ wrote into the memory of pid ${byChild.pid} with ptrace \\(${name}\\): that can remove the uprobes' breakpoints`));
      expect(memory.endWindow()).toContain(name);
      memory.see(event('exit', { ...byChild, status: 0 }));
      expect(memory.endWindow()).toBeUndefined();
    }
  });

  test('process_vm_writev into a process blinds too; reading it, other ptrace requests and failed calls do not', () => {
    const memory = new RewrittenMemory();
    memory.see(privileged('process_vm', 'process_vm_readv', { args: [byChild.pid] }));
    memory.see(event('ptrace', { request: 2, targetPid: byChild.pid })); // PTRACE_PEEKDATA
    memory.see(event('ptrace', { request: 16, targetPid: byChild.pid })); // PTRACE_ATTACH
    memory.see(event('ptrace', { request: 4, targetPid: byChild.pid, ...failed('EPERM') }));
    memory.see(privileged('process_vm', 'process_vm_writev', { args: [byChild.pid], ...failed('EPERM') }));
    expect(memory.endWindow()).toBeUndefined();
    memory.see(privileged('process_vm', 'process_vm_writev', { args: [byChild.pid], result: 8 }));
    expect(memory.endWindow()).toMatch(new RegExp(`wrote into the memory of pid ${byChild.pid} with process_vm_writev: that can remove`));
  });

  test('a child written into: its own window, and later ones until it exits', () => {
    const memory = new RewrittenMemory();
    memory.see(open(`/proc/${byChild.pid}/mem`, { ...readWrite, ...byChild }));
    expect(memory.endWindow()).toContain(`of pid ${byChild.pid}`);
    expect(memory.endWindow()).toContain(`of pid ${byChild.pid}`);
    memory.see(event('exit', { ...byChild, status: 0 }));
    expect(memory.endWindow()).toBeUndefined();
  });

  test('a child that exits in the window it was written into still blinds that window', () => {
    const memory = new RewrittenMemory();
    memory.see(open(`/proc/${byChild.pid}/mem`, { ...readWrite, ...byChild }));
    memory.see(event('exit', { ...byChild, status: 0 }));
    expect(memory.endWindow()).toContain(`of pid ${byChild.pid}`);
    expect(memory.endWindow()).toBeUndefined();
  });
});

describe('addGaps keeps every unavailable kind', () => {
  test('the first reason per kind, the kinds of both', () => {
    const a = { ...NO_GAPS, unavailable: { http: 'no libssl' } };
    const b = { ...NO_GAPS, unavailable: { http: 'rewritten', env: 'rewritten' } };
    const sum = addGaps(a, b);
    expect(sum.unavailable).toEqual({ http: 'no libssl', env: 'rewritten' });
    expect(() => assertAvailable(sum, ['env'], 'expect(fn).toReadEnv()')).toThrow(UnavailableKindError);
    expect(addGaps(NO_GAPS, b).unavailable).toBe(b.unavailable);
  });
});
