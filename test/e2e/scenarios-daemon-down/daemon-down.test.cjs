// Run with VIVARIUM_BPF_PIN_DIR pointing where no daemon serves.
const fs = require('node:fs');

test('FAILS[vivariumd is not running;npx vivariumd]: a matcher says the daemon is down and how to start it', () => {
  expect(() => fs.readFileSync('/etc/hosts')).toOpenFiles('/etc/hosts');
});

test('a test without matchers still passes', () => {
  expect(1 + 1).toBe(2);
});
