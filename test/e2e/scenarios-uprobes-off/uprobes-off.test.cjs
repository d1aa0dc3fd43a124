// Under a vivariumd that attached no uprobes: checks of env, load and http
// events fail with the reason, whichever way they are asked; others still work.
const fs = require('node:fs');

test('FAILS[toReadEnv;env events are unavailable;--no-uprobes]: .not.toReadEnv cannot pass blind', () => {
  expect(() => process.env.SOME_TOKEN).not.toReadEnv('SOME_TOKEN');
});

test('FAILS[toLoad;load events are unavailable;--no-uprobes]: .not.toLoad cannot pass blind', () => {
  expect(() => {}).not.toLoad('*.node');
});

test('FAILS[toRequestOutside;http events are unavailable;--no-uprobes]: .not.toRequestOutside cannot pass blind', () => {
  expect(() => {}).not.toRequestOutside('https://127.0.0.1:*');
});

test('other kinds are still checked', () => {
  expect(() => fs.readFileSync('/etc/hostname')).toReadFiles(['/etc/hostname']);
});
