// Two or more files run this at once in parallel workers: each hammers its
// own file and must see only its own opens.
const fs = require('node:fs');
const path = require('node:path');
const { freshDir } = require('./tmp.cjs');

exports.defineCrosstalk = (name) => {
  test(`${name}: under load, a worker sees only its own opens`, () => {
    const own = path.join(freshDir(name), `${name}.txt`);
    fs.writeFileSync(own, name);
    for (let round = 0; round < 20; round++) {
      expect(() => {
        for (let i = 0; i < 250; i++) fs.closeSync(fs.openSync(own, 'r'));
      }).not.toOpenOutside([own]);
    }
  });
};
