// Test code that removes its own registration (it runs as root here) is
// detected by the next drain, and the test during which it happened fails.
// The entry is put back after the file, so the worker's next test files
// (Jest runs several in one process) are observed again.
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

// By its path: the compat run puts no build or admin tools on PATH.
const BPFTOOL = ['/usr/sbin/bpftool', '/usr/bin/bpftool', '/sbin/bpftool'].find((p) => fs.existsSync(p)) ?? 'bpftool';
const pinDir = process.env.VIVARIUM_BPF_PIN_DIR ?? '/sys/fs/bpf/vivarium';
const targets = ['pinned', `${pinDir}/config_targets`];
const bpftool = (...args) => JSON.parse(execFileSync(BPFTOOL, ['--json', 'map', args[0], ...targets, ...args.slice(1)], { encoding: 'utf8' }));
const bytes = (buffer) => buffer.toString('hex').match(/../g);

const key = Buffer.alloc(8);
key.writeUInt32LE(fs.statSync('/proc/self/ns/pid').ino, 0);
key.writeUInt32LE(process.pid, 4);
let saved;

afterAll(() => {
  if (saved) execFileSync(BPFTOOL, ['map', 'update', ...targets, 'key', 'hex', ...bytes(key), 'value', 'hex', ...saved]);
});

test('FAILS[tampered with;config_targets entry is gone]: test code that removes its own registration fails', () => {
  saved = bpftool('lookup', 'key', 'hex', ...bytes(key)).value.map((b) => b.replace(/^0x/, ''));
  execFileSync(BPFTOOL, ['map', 'delete', ...targets, 'key', 'hex', ...bytes(key)]);
  fs.readFileSync('/etc/passwd');
});
