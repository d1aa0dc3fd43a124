// A TypeScript test's own call is reported at its .ts line (Vitest maps the
// stack through the source map of its transform). Jest runs only *.test.cjs.
import fs from 'node:fs';

interface Reading {
  file: string;
  encoding: BufferEncoding;
}

type Reader = (reading: Reading) => string;

const read: Reader = ({ file, encoding }: Reading): string => fs.readFileSync(file, encoding);

test('FAILS[/etc/hostname;provenance-ts.test.mts:12:]: a TypeScript call, at its .ts line', () => {
  expect(() => read({ file: '/etc/hostname', encoding: 'utf8' })).not.toOpenOutside(['/nowhere/**']);
});
