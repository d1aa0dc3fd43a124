// Not part of the example's suite: the demo runs it to show a violation.
const { readFileSync } = require('node:fs');

function readSettings() {
  // A bug: besides its own settings it peeks at the system's password file.
  readFileSync('/etc/passwd');
  return readFileSync('/etc/hostname', 'utf8');
}

test('readSettings stays inside /etc/hostname', () => {
  expect(readSettings).not.toOpenOutside(['/etc/hostname']);
});
