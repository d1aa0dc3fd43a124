#!/usr/bin/env node
// Sums Jest-shaped JSON reports into one closing "N passed, N failed" line,
// preceded by the name of every failed test: CI logs keep only their tail.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
for (const file of process.argv.slice(2)) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    console.error(`summarize: no readable report at ${file}`);
    failed++;
    continue;
  }
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  for (const suite of report.testResults ?? []) {
    const where = suite.name ? relative(process.cwd(), suite.name) : file;
    const failedTests = (suite.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failedTests) {
      const why = String(test.failureMessages?.[0] ?? '').split('\n')[0].slice(0, 300);
      failures.push(`  ✗ ${where} > ${test.fullName ?? test.title}\n      ${why}`);
    }
    if (failedTests.length === 0 && suite.status === 'failed') {
      failures.push(`  ✗ ${where}: ${String(suite.message ?? '').split('\n')[0].slice(0, 300)}`);
    }
  }
}
if (failures.length > 0) console.log(`\nfailed:\n${failures.join('\n')}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
