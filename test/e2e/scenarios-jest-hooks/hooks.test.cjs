// Jest only (run by scenarios.test.ts for the jest adapter): events of
// beforeEach/afterEach hooks are not the test's. @vivarium/jest drains at
// jest-circus's test_fn_start and test_fn_success/failure, so a test covers
// exactly its test function. (Vitest's adapter drains in beforeEach/afterEach
// hooks of its setup file, which enclose the user's hooks: there they count
// for the test, so this scenario cannot be shared.)
//
// vivarium.policy.json here allows no program to run: a test fails exactly
// when a program ran inside its test window.
const { execFileSync } = require('node:child_process');

describe('hooks that run a program', () => {
  beforeEach(() => {
    execFileSync('true');
  });
  afterEach(() => {
    execFileSync('true');
  });

  test('a test whose hooks run a program, but not its function, passes', () => {
    expect(1 + 1).toBe(2);
  });

  test('FAILS[bin/true;not in allow.exec]: the same program run by the test function is a violation', () => {
    execFileSync('true');
  });

  test('the next test starts clean again', () => {
    expect(() => {}).not.toExecOutside(['/nothing']);
  });
});

test('FAILS[bin/true;not in allow.exec]: a violation outside any describe block counts the same', () => {
  execFileSync('true');
});
