#!/usr/bin/env node
// The per-test bookkeeping of a fresh registered process, cold and warm: N
// tests, each reading and writing a few files and every fifth spawning `cat`
// (the generated suite's mix), timed around beginTest and complete, with the
// ring's consume wrapped (private fields: an experiment) to count events.
// Prints the first 20 tests (a Vitest test file's lifetime) against the last 20.
//   node bench/experiments/catmix.mjs PIN_DIR [N]   (vivariumd running on PIN_DIR)
import { Session, TestVerdicts } from '@vivarium/core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

const PACKAGE = new URL('../../package.json', import.meta.url).pathname;
const pinDir = process.argv[2];
const N = Number(process.argv[3] ?? 100);
const verdicts = TestVerdicts.forRun(process.cwd());
const session = Session.get({ kinds: verdicts.kinds, pinDir });

let consumeMs = 0;
let events = 0;
const ring = session.worker.ring;
const consume = ring.consume;
ring.consume = function (onRecord) {
  const t = performance.now();
  try {
    return consume.call(this, (...record) => {
      events++;
      return onRecord(...record);
    });
  } finally {
    consumeMs += performance.now() - t;
  }
};

const dir = mkdtempSync('/tmp/catmix-');
session.beginFile();
const rows = [];
for (let i = 0; i < N; i++) {
  consumeMs = 0;
  events = 0;
  const t0 = performance.now();
  session.beginTest(`t${i}`);
  const t1 = performance.now();
  JSON.parse(readFileSync(PACKAGE, 'utf8'));
  writeFileSync(`${dir}/o.json`, '{}');
  readFileSync(`${dir}/o.json`);
  readdirSync(dir);
  existsSync(`${dir}/missing`);
  if (i % 5 === 0) execFileSync('cat', [PACKAGE]);
  const t2 = performance.now();
  verdicts.complete(session, '/x.test.js', `t${i}`);
  const t3 = performance.now();
  rows.push({ begin: t1 - t0, complete: t3 - t2, consumeMs, events });
}
rmSync(dir, { recursive: true, force: true });

const show = (rs) => {
  const sum = (k) => rs.reduce((a, r) => a + r[k], 0);
  const us = (k) => ((sum(k) / rs.length) * 1000).toFixed(0);
  return `begin ${us('begin')} us, complete ${us('complete')} us, consume ${((sum('consumeMs') * 1000) / Math.max(1, sum('events'))).toFixed(2)} us/event over ${sum('events')} events`;
};
console.log('first 20:', show(rows.slice(0, 20)));
console.log('last 20: ', show(rows.slice(-20)));
