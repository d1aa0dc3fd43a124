// The code under test: renders templates into dist/.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function build(root: string, title: string): string {
  const template = readFileSync(join(root, 'templates', 'page.html'), 'utf8');
  mkdirSync(join(root, 'dist'), { recursive: true });
  const out = join(root, 'dist', 'page.html');
  writeFileSync(out, template.replace('{{title}}', title));
  return out;
}
