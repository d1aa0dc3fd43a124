// Deliberately violating: the build "phones home" by running curl. Run by
// `npm run ci:violation` (in audit mode, so the run completes) to show the
// gate failing on the report.
import { spawnSync } from 'node:child_process';
import { test } from 'vitest';

test('a build step that shells out', () => {
  spawnSync('sh', ['-c', 'true']);
});
