// What one test did never shows up in the next test's record as the next
// test's own: the record the policy and the report judge, which each test
// reads here with currentTest().
//
// The first test reads marker files in its body, outside any expect: itself,
// through a child, once more after its last look (so only the end of the test
// drains it), and in an afterEach hook (no test's under Jest, the test's own
// under Vitest). It leaves a child behind that reads one more marker while the
// second test runs. The second test's record holds none of the first test's
// reads, and holds the late read only as what it is: a leftover of the first
// test, marked with the process and the test that started it. Positive
// controls keep it from passing on an empty record: the first test sees its
// own reads, and the second sees its own read.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { currentTest } = require('./lib/adapter.cjs');
const { freshDir } = require('./lib/tmp.cjs');

const dir = freshDir('isolation');
const marker = (name) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, name);
  return file;
};
const body = marker('body');
const child = marker('child');
const tail = marker('tail');
const hook = marker('hook');
const late = marker('late');
const own = marker('own');
const lateDone = path.join(dir, 'late.done');
// The second test lets the leftover read: no sleep that a slow machine outlasts.
const lateGo = path.join(dir, 'late.go');
const markers = [body, child, tail, hook, late];

/** The markers among the files a record shows opened. */
const openedIn = (record, files) => files.filter((file) => record.events.some((e) => e.kind === 'file_open' && e.path === file));
const until = async (done) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
};

describe('one test, then the next', () => {
  let first = true;
  afterEach(() => {
    if (first) fs.readFileSync(hook);
    first = false;
  });

  test('reads markers in its body, outside any expect, and leaves a child behind', () => {
    spawn('sh', ['-c', `i=0; until [ -e '${lateGo}' ] || [ $i -ge 400 ]; do sleep 0.05 || exit 1; i=$((i+1)); done; cat '${late}' > /dev/null; : > '${lateDone}'`], { stdio: 'ignore' }).unref();
    fs.readFileSync(body);
    execFileSync('cat', [child]);
    expect(openedIn(currentTest(), markers)).toEqual([body, child]);
    fs.readFileSync(tail);
  });

  test("the next test's record holds none of it but the leftover's late read, marked", async () => {
    expect(openedIn(currentTest(), markers)).toEqual([]);
    fs.writeFileSync(lateGo, '');
    await until(() => fs.existsSync(lateDone));
    expect(fs.existsSync(lateDone)).toBe(true);
    fs.readFileSync(own);
    const record = currentTest();
    expect(openedIn(record, [...markers, own])).toEqual([late, own]);
    const lateRead = record.events.find((e) => e.kind === 'file_open' && e.path === late);
    expect(lateRead.leftover).toEqual({
      pid: lateRead.pid,
      command: 'cat',
      startedIn: expect.stringContaining('reads markers in its body, outside any expect, and leaves a child behind'),
    });
    expect(record.events.find((e) => e.kind === 'file_open' && e.path === own).leftover).toBeUndefined();
  });
});
