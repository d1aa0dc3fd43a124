// Which files a test opened: sync, async, failed, relative, symlinked.
const fs = require('node:fs');
const path = require('node:path');
const { observe } = require('./lib/adapter.cjs');
const { freshDir } = require('./lib/tmp.cjs');

test('a sync readFileSync is seen', () => {
  expect(() => fs.readFileSync('/etc/hosts')).toOpenFiles(['/etc/hosts']);
});

test('an async fs.promises.readFile is seen (libuv threadpool)', async () => {
  await expect(() => fs.promises.readFile('/etc/hosts')).toOpenFiles('/etc/hosts');
});

test('FAILS[/etc/passwd]: .not.toOpenOutside names a file read outside the globs', () => {
  expect(() => fs.readFileSync('/etc/passwd')).not.toOpenOutside('/etc/hosts');
});

test('FAILS[/nonexistent-vivarium/missing.txt;ENOENT]: a failed attempt outside the globs counts', () => {
  expect(() => {
    try {
      fs.readFileSync('/nonexistent-vivarium/missing.txt');
    } catch {
      // the attempt is what matters
    }
  }).not.toOpenOutside('/etc/hosts');
});

test('FAILS[Never opened;/etc/shadow-vivarium]: toOpenFiles names what was never opened', () => {
  expect(() => fs.readFileSync('/etc/hosts')).toOpenFiles(['/etc/hosts', '/etc/shadow-vivarium']);
});

test('a relative path opened after chdir is reported absolute', () => {
  const dir = freshDir('chdir');
  fs.writeFileSync(path.join(dir, 'relative.txt'), 'x');
  const before = process.cwd();
  try {
    const seen = observe(() => {
      process.chdir(dir);
      fs.readFileSync('relative.txt');
    });
    const open = seen.events.find((e) => e.kind === 'file_open' && e.requested === 'relative.txt');
    expect(open.path).toBe(path.join(dir, 'relative.txt'));
    expect(open.requestedPath).toBe(path.join(dir, 'relative.txt'));
  } finally {
    process.chdir(before);
  }
});

test('a symlink is reported as its target, with the requested path kept', () => {
  const dir = freshDir('symlink');
  const target = path.join(dir, 'target.txt');
  const link = path.join(dir, 'link.txt');
  fs.writeFileSync(target, 'x');
  fs.symlinkSync(target, link);
  const seen = observe(() => fs.readFileSync(link));
  const open = seen.events.find((e) => e.kind === 'file_open' && e.requested === link);
  expect(open.path).toBe(target);
  expect(open.requestedPath).toBe(link);
  expect(seen).toOpenFiles(link);
  expect(seen).toOpenFiles(target);
  // Judged by where it really leads: a link inside the globs to a file outside is outside.
  expect(seen).toOpenOutside([link]);
});

test('open flags are decoded', () => {
  const file = path.join(freshDir('flags'), 'out.txt');
  const seen = observe(() => fs.writeFileSync(file, 'data'));
  const open = seen.events.find((e) => e.kind === 'file_open' && e.path === file);
  expect(open).toMatchObject({ access: 'write', create: true, truncate: true, result: expect.any(Number) });
});
