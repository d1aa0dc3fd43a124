export * from './abi.generated.js';
export { saveCodeCache } from './code-cache.js';
export * from './decode.js';
export * from './errors.js';
export * from './events.js';
export * from './event-kinds.js';
export * from './event-lines.js';
export * from './subjects.js';
export * from './format.js';
export * from './sockaddr.js';
export * from './dns-message.js';
export * from './observation.js';
export * from './backend.js';
export * from './codec.js';
export * from './socket-path.js';
export * from './policy/path-patterns.js';
export * from './policy/tokens.js';
export * from './policy/program-patterns.js';
export * from './policy/endpoint-patterns.js';
export * from './policy/host-patterns.js';
export * from './policy/subject-patterns.js';
export * from './policy/policy.js';
export * from './policy/policy-file.js';
export * from './policy/evaluate.js';
export * from './policy/learn.js';
export * from './policy/noise.js';
export * from './policy/run-policy.js';
export * from './report/types.js';
export * from './report/spool.js';
export * from './report/build.js';
export * from './report/html.js';
export { type PackageGroup, summarizePackages } from './report/html-packages.js';
export * from './report/run-report.js';
export * from './report/read.js';
export { FOOTPRINT_GROUPS, type Footprint, type FootprintGroup, footprintOf, footprintOfEvents } from './footprint/normalise.js';
export { FOOTPRINT_SERIALIZER, type FootprintSnapshot, NO_EFFECTS, footprintSnapshot, parseFootprint, renderFootprint } from './footprint/text.js';
export { FOOTPRINT_VERSION, type RunFootprint, footprintOfReports, isRunFootprint } from './footprint/run.js';
export { type FootprintDiff, type TestChange, diffFootprints } from './footprint/diff.js';
export { diffMarkdown, diffText } from './footprint/diff-render.js';
export * from './provenance/origin.js';
export { Provenance } from './provenance/recorder.js';
export * from './session.js';
export * from './test-verdict.js';
export * from './worker.js';
export * from './matchers/index.js';

import type { Observation } from './observation.js';
import { Session, type TestRecord } from './session.js';

/** Runs fn under observation in this process's session. */
export function observe<T>(fn: () => T): T extends PromiseLike<infer U> ? Promise<Observation<U>> : Observation<T> {
  return Session.get().observe(fn);
}

/** What the running test did so far, as the policy and the report will judge it. */
export function currentTest(): TestRecord {
  return Session.get().currentTest();
}
