// Events of one test never show up in the next.
const fs = require('node:fs');

test('opens a file in the test body, outside any expect', () => {
  fs.readFileSync('/etc/passwd');
});

test('the next observation starts empty', () => {
  expect(() => {}).not.toOpenOutside('/nothing-at-all');
});
