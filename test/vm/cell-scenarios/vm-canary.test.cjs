// The VM matrix's deliberate failure: copied next to the shared scenarios
// inside the VM (never on the host), it must fail there. A run whose kernel
// side saw nothing would pass it (a .not matcher over no events), and a run
// that crashed or collected nothing lacks it: either way the cell fails.
const fs = require('node:fs');

test('FAILS[/etc/hostname]: vm canary: a file read outside the globs must fail the test', () => {
  expect(() => fs.readFileSync('/etc/hostname')).not.toOpenOutside(['/vivarium-vm-canary-allows-nothing/**']);
});
