// Prints how many kB of this fresh process's executable file mappings are
// private copies: the pages where a uprobe's breakpoint sits (0 when no
// uprobe is on any file it maps). bench/lib.mjs waits for 0 after a daemon stops.
const { readFileSync } = require('node:fs');

let executable = false;
let kb = 0;
for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
  const mapping = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
  if (mapping) {
    executable = mapping[1].includes('x') && mapping[2].startsWith('/');
    continue;
  }
  const anonymous = /^Anonymous:\s+(\d+) kB/.exec(line);
  if (anonymous && executable) kb += Number(anonymous[1]);
}
process.stdout.write(`${kb}\n`);
