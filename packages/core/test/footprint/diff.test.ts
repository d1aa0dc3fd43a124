// Run footprints from reports (sharded, merged, from other machines) and the
// diff of two runs, for a terminal and as a pull-request comment.
import { describe, expect, test } from 'vitest';
import { diffFootprints } from '../../src/footprint/diff.js';
import { diffMarkdown, diffText, markdownText } from '../../src/footprint/diff-render.js';
import { footprintOfReports } from '../../src/footprint/run.js';
import { mergeReports } from '../../src/report/build.js';
import { tokensOf } from '../../src/report/shards.js';
import { ALICE, BASE_TESTS, CI, HEAD_TESTS, reportOf } from './report-fixtures.js';

const base = footprintOfReports([reportOf(ALICE, BASE_TESTS)]);
const head = footprintOfReports([reportOf(CI, HEAD_TESTS)]);

describe('footprintOfReports', () => {
  test('per file and test, sorted; the same run on another machine gives the same footprint', () => {
    expect(base).toEqual({
      vivarium: 'footprint',
      version: 1,
      files: {
        'build.test.js': {
          builds: { write: ['open (write+create+truncate) <tmp>/build-*/out.js'], exec: ['exec /usr/bin/git  ["git","rev-parse","HEAD"]'] },
          'old test': { read: ['open (read) <rootDir>/legacy.txt'] },
        },
        'config.test.js': { 'loads its config': { read: ['open (read) <rootDir>/config.json'], connect: ['connect 127.0.0.1:*'] } },
      },
    });
    expect(footprintOfReports([reportOf(CI, BASE_TESTS)])).toEqual(base);
  });

  test('shards from two machines, merged, judged each with its own run’s token values: the merged report gives the same footprint', () => {
    const shards = [reportOf(ALICE, BASE_TESTS.slice(0, 1)), reportOf(CI, BASE_TESTS.slice(1))];
    const merged = mergeReports(shards);
    expect(merged.files.map((f) => [f.file, tokensOf(merged, f).home])).toEqual([
      ['build.test.js', CI.home],
      ['config.test.js', ALICE.home],
    ]);
    expect(footprintOfReports([merged])).toEqual(base);
    expect(footprintOfReports(shards)).toEqual(base);
  });
});

describe('diffFootprints', () => {
  const diff = diffFootprints(base, head);

  test('per test: what appeared and disappeared; tests added and removed; what is new to the suite', () => {
    expect(diff.tests.map((t) => [t.file, t.name, t.change, t.added, t.removed])).toEqual([
      ['build.test.js', 'builds', 'changed', {}, { write: ['open (write+create+truncate) <tmp>/build-*/out.js'] }],
      ['build.test.js', 'old test', 'removed', {}, { read: ['open (read) <rootDir>/legacy.txt'] }],
      ['config.test.js', 'loads its config', 'changed', { read: ['open (read) <home>/.aws/credentials'] }, {}],
      ['net.test.js', 'downloads', 'added', { exec: ['exec /usr/bin/curl  ["curl","-sS","https://example.com"]'], connect: ['connect 93.184.215.14:443'] }, {}],
    ]);
    expect(diff.suite.added).toEqual({
      read: ['open (read) <home>/.aws/credentials'],
      exec: ['exec /usr/bin/curl  ["curl","-sS","https://example.com"]'],
      connect: ['connect 93.184.215.14:443'],
    });
    expect(diff.totals).toEqual({ tests: 3, changed: 2, testsAdded: 1, testsRemoved: 1, added: 3, removed: 2 });
  });

  test('the same run twice: no change', () => {
    const same = diffFootprints(base, base);
    expect(same.tests).toEqual([]);
    expect(diffText(same)).toBe('vivarium diff: no change in the footprint of 3 tests');
    expect(diffMarkdown(same)).toBe('### Vivarium footprint\n\nNo change in the footprint of 3 tests.\n');
  });

  test('for a terminal', () => {
    expect(diffText(diff)).toMatchInlineSnapshot(`
      "vivarium diff: 3 effects added, 2 removed in 3 of 3 tests; 1 test added, 1 removed
        build.test.js > builds
          - write        open (write+create+truncate) <tmp>/build-*/out.js
        build.test.js > old test (removed test)
          - read         open (read) <rootDir>/legacy.txt
        config.test.js > loads its config
          + read         open (read) <home>/.aws/credentials
        net.test.js > downloads (added test)
          + exec         exec /usr/bin/curl  ["curl","-sS","https://example.com"]
          + connect      connect 93.184.215.14:443"
    `);
  });

  test('as a pull-request comment: summary, what is new to the suite, a table, details per test', () => {
    expect(diffMarkdown(diff)).toMatchInlineSnapshot(`
      "### Vivarium footprint

      **3 effects added, 2 removed in 3 of 3 tests; 1 test added, 1 removed**

      New to the suite (no test of the base run did it):

      - \`read\` open (read) &lt;home&gt;/.aws/credentials
      - \`exec\` exec /usr/bin/curl  \\["curl","-sS","https://example.com"\\]
      - \`connect\` connect 93.184.215.14:443

      Gone from the suite (no test does it any more):

      - \`read\` open (read) &lt;rootDir&gt;/legacy.txt
      - \`write\` open (write+create+truncate) &lt;tmp&gt;/build-\\*/out.js

      | Test | File | Added | Removed |
      | --- | --- | ---: | ---: |
      | builds | build.test.js |  | −1 |
      | old test *(removed test)* | build.test.js |  | −1 |
      | loads its config | config.test.js | +1 |  |
      | downloads *(added test)* | net.test.js | +2 |  |

      <details><summary><code>build.test.js</code> › builds (−1)</summary>

      \`\`\`diff
      - write        open (write+create+truncate) <tmp>/build-*/out.js
      \`\`\`

      </details>

      <details><summary><code>build.test.js</code> › old test (−1)</summary>

      \`\`\`diff
      - read         open (read) <rootDir>/legacy.txt
      \`\`\`

      </details>

      <details><summary><code>config.test.js</code> › loads its config (+1)</summary>

      \`\`\`diff
      + read         open (read) <home>/.aws/credentials
      \`\`\`

      </details>

      <details><summary><code>net.test.js</code> › downloads (+2)</summary>

      \`\`\`diff
      + exec         exec /usr/bin/curl  ["curl","-sS","https://example.com"]
      + connect      connect 93.184.215.14:443
      \`\`\`

      </details>
      "
    `);
  });

  test('Markdown: names cannot inject markup, code fences cannot be closed early', () => {
    expect(markdownText('a | b <img src=x> `c` *d* [e](f)')).toBe('a \\| b &lt;img src=x&gt; \\`c\\` \\*d\\* \\[e\\](f)');
    const hostile = footprintOfReports([reportOf(ALICE, [['x.test.js', '</summary><script>', () => []]])]);
    const evil = footprintOfReports([
      reportOf(ALICE, [['x.test.js', '</summary><script>', (t) => [...[`${t.rootDir}/a\`\`\`b`].map((p) => ({ ...HEAD_TESTS[0]![2](t)[0]!, path: p }))]]]),
    ]);
    const md = diffMarkdown(diffFootprints(hostile, evil));
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;/summary&gt;&lt;script&gt;');
    expect(md).toContain('````diff');
  });
});
