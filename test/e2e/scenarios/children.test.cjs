// Children's opens count for the test; a child that outlives its test does not leak.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { observe } = require('./lib/adapter.cjs');
const { freshDir } = require('./lib/tmp.cjs');

test('files opened by a child process count for the test', () => {
  expect(() => execFileSync('cat', ['/etc/hostname'])).toOpenFiles(['/etc/hostname']);
});

test('grandchildren count too', () => {
  expect(() => execFileSync('sh', ['-c', 'cat /etc/hostname | cat > /dev/null'])).toOpenFiles('/etc/hostname');
});

test('FAILS[/etc/passwd;[child]: a child reading outside the globs is named', () => {
  expect(() => execFileSync('cat', ['/etc/passwd'])).not.toOpenOutside(['/usr/**', '/lib/**', '/etc/ld.so.cache', '/dev/null']);
});

describe('a child that outlives its test', () => {
  const marker = path.join(freshDir('late'), 'late.txt');
  fs.writeFileSync(marker, 'x');

  test('starts a child that reads a file after the test ended', () => {
    const child = spawn('sh', ['-c', `sleep 0.4; cat ${marker} > /dev/null`], { stdio: 'ignore' });
    child.unref();
  });

  test('the next test never sees that read', async () => {
    const seen = await observe(() => new Promise((resolve) => setTimeout(resolve, 1200)));
    expect(seen.events.filter((e) => e.kind === 'file_open' && e.path === marker)).toEqual([]);
  });
});
