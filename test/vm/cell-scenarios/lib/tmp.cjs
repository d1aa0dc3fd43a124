const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** A fresh directory under the temp dir, resolved (the kernel reports real paths). */
exports.freshDir = (label) => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `vivarium-e2e-${label}-`)));
