// Children's opens count for the test; a child that outlives its test is
// seen in the test during which it acts, marked as the leftover it is.
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
  const dir = freshDir('late');
  const marker = path.join(dir, 'late.txt');
  fs.writeFileSync(marker, 'x');
  // The leftovers act when a later test says so (a go file), and say when they are done. Told
  // nothing within a minute (a run that ended early), or unable to sleep (PATH gone), they give up.
  const leftover = (name, command) =>
    spawn('sh', ['-c', `i=0; until [ -e ${dir}/${name}.go ]; do [ $i -lt 1200 ] && sleep 0.05 || exit 1; i=$((i+1)); done; ${command}; : > ${dir}/${name}.done`], { stdio: 'ignore' }).unref();
  const letAct = async (name) => {
    fs.writeFileSync(path.join(dir, `${name}.go`), '');
    for (let i = 0; i < 400 && !fs.existsSync(path.join(dir, `${name}.done`)); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  };

  test('leaves a helper behind that reads /etc/hostname later', () => {
    leftover('helper', 'cat /etc/hostname > /dev/null');
  });

  test('starts a child that reads a file after the test ended', () => {
    leftover('child', `cat ${marker} > /dev/null`);
  });

  test('the next test sees that read, marked with the process and the test that started it', async () => {
    const seen = await observe(() => letAct('child'));
    const reads = seen.events.filter((e) => e.kind === 'file_open' && e.path === marker);
    expect(reads).toHaveLength(1);
    expect(reads[0].leftover).toMatchObject({ command: 'cat', startedIn: expect.stringContaining('starts a child that reads a file after the test ended') });
  });

  test('FAILS[/etc/hostname;(cat), started in;leaves a helper behind]: a leftover reading outside the globs fails the test during which it reads', async () => {
    await expect(() => letAct('helper')).not.toOpenOutside([`${dir}/**`, '/usr/**', '/lib/**', '/etc/ld.so.cache']);
  });
});
