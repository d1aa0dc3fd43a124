// packages/vitest-plugin/dist/setup.js
import { afterAll, afterEach, beforeEach, expect as expect2 } from "vitest";

// vivarium-core:core
import { core } from "@vivarium/core/bundle/load.js";
var { ALL_VARIABLES, Abi, AbiMismatchError, AccessDeniedError, BackendCode, BlindReason, ControlCodec, CountersCodec, DEFAULT_PIN_DIR, DaemonNotRunningError, DecodeError, DnsMode, EVENT_KINDS, EVENT_KIND_TABLE, EnvOp, EventFlag, EventHeaderCodec, EventsDroppedError, FOOTPRINT_GROUPS, FOOTPRINT_SERIALIZER, FOOTPRINT_VERSION, Field, HTML_REPORT_CATEGORIES, HttpFlag, KIND_NAMES, KindCode, LIST_LIMIT, Layout, LoadHow, MATCHER_FACTORIES, MetaCodec, MetaFlag, MountOp, NO_EFFECTS, NO_USER_FRAME, NoFreeSlotError, ORIGIN_STACK_FRAMES, OUTSIDE_TESTS, OwnerCodec, PIN_DIR_ENV, POLICY_FILE, POLICY_JSON_ENV, POLICY_RULES, PRIVILEGED_KINDS, PROJECT, PolicyChecker, PolicyViolationError, Provenance, REPORT_DIR_ENV, REPORT_VERSION, RULE_SUBJECT, RUNNER_FILE, ReportFileError, ReportLines, RunReport, SOCKET_DIR, SOCKET_ENV, SUBJECT_COMPILERS, Session, Syscall, TOKEN_NAMES, TamperedError, TargetCodec, TargetFlag, TargetKeyCodec, TestVerdicts, TlsCall, U32Codec, UPROBE_FED_KINDS, UnavailableKindError, UnfollowedError, VivariumError, WHY_TESTS, Worker, absoluteRequested, appendSpooled, backendCode, backendName, buildReport, compileActPatterns, compileEndpointPatterns, compileHostPattern, compileHostPatterns, compilePathPatterns, compileProgramPatterns, compileRule, compileSubjectPatterns, createMatchers, currentTest, currentTokens, decode, decodeDnsQuestion, decodeEvent, decodeSockaddr, defaultNoise, describe, describeEvent, diffFootprints, diffMarkdown, diffText, encode, errnoName, escapeHtml, expandTokens, failureOf, fileOf, findPolicyFile, footprintOf, footprintOfEvents, footprintOfReports, footprintSnapshot, formatEvent, formatLine, formatOrigin, formatSubjectLine, formatViolations, groupLines, indent, isBlind, isLoopback, isObservation, isRunFootprint, isThenable, isUserFrame, joinBackends, jsonForScriptTag, judgedSubjects, kindRow, learnPolicy, loadRunPolicy, makeObservation, matcherContext, mergeReports, moduleNoise, observe, openSpool, opensToWrite, originOf, ownerOf, packageDirOf, parseFootprint, parseStack, patternList, provenanceWanted, readPolicyFile, readReportFile, readRunFile, readSpool, readsEnvironFile, renderFootprint, renderHtmlReport, resolvePinDir, resolveSocket, ruleOf, ruleOfSubject, rulesOf, rulesOfKind, rulesOfLine, runnerNoise, runnerRecord, siteText, socketPathFor, spoolDir, subjectPaths, subjectText, subjectTypesOf, subjectsOf, succeeded, summarizePackages, summarizeTestForHtml, syscallError, syscallName, toReportEvents, validatePolicy, valuesOf, violationMatchesEvent, writeReportFile } = core;

// packages/vitest-plugin/dist/runner-state.js
import { isMainThread } from "node:worker_threads";
var workerState = () => globalThis.__vitest_worker__ ?? {};
var workerConfig = () => workerState().config ?? {};
function vitestTestFile() {
  return workerState().filepath ?? "";
}
function vitestRoot() {
  return workerConfig().root ?? process.cwd();
}
function unsupportedPoolReason(mainThread = isMainThread) {
  const pool = workerConfig().pool;
  if (!mainThread || pool === "threads" || pool === "vmThreads")
    return `vivarium: Vitest's ${pool ?? "threads"} pool runs test files as threads of one process, which the kernel cannot tell apart (set test.pool to 'forks' in vitest.config, or run with --pool=forks)`;
  return null;
}
function fullName(task) {
  const names = [];
  for (let t = task; t && t.filepath === void 0; t = t.suite)
    names.unshift(t.name);
  return names.join(" > ");
}

// packages/vitest-plugin/dist/snapshots.js
import { createRequire } from "node:module";
import * as vitest from "vitest";
import { chai, expect } from "vitest";
var SERIALIZER_KEY = /* @__PURE__ */ Symbol.for("vivarium.footprintSerializer");
function addFootprintSerializer() {
  const store = globalThis;
  if (store[SERIALIZER_KEY])
    return;
  expect.addSnapshotSerializer(FOOTPRINT_SERIALIZER);
  store[SERIALIZER_KEY] = true;
}
var args = (value) => value === void 0 ? [] : [value];
function vitestVersion() {
  try {
    return createRequire(import.meta.url)("vitest/package.json").version;
  } catch {
    return "(unknown version)";
  }
}
function stripIndentation(snapshot) {
  const lines = snapshot.split("\n");
  const indentation = /^([^\S\n]*)\S/m.exec(snapshot)?.[1];
  if (!indentation || lines.length <= 2 || lines[0].trim() || lines[lines.length - 1].trim())
    return snapshot;
  if (!lines.slice(1, -1).every((line) => !line.trim() || line.startsWith(indentation)))
    return snapshot;
  return lines.map((line) => line.slice(indentation.length)).join("\n");
}
function legacyCall(state, name) {
  return {
    toMatchSnapshot(value, hint) {
      const { assertionCalls } = expect.getState();
      const assertion = expect(value);
      expect.setState({ assertionCalls });
      try {
        assertion.toMatchSnapshot(...args(hint));
        return { pass: true, message: () => "" };
      } catch (error) {
        const { actual, expected } = error;
        if (actual === void 0 && expected === void 0)
          throw error;
        return { pass: false, message: () => error.message, actual, expected };
      }
    },
    toMatchInlineSnapshot(value, snapshot) {
      const received = value.text;
      const update = state.snapshotState?._updateSnapshot ?? "new";
      if (snapshot !== void 0) {
        const expected = stripIndentation(snapshot).trim();
        if (expected === received.trim())
          return { pass: true, message: () => "" };
        if (update !== "all")
          return { pass: false, message: () => "Inline footprint snapshot mismatched", actual: received, expected };
      } else if (update === "none")
        return { pass: false, message: () => "New inline footprint snapshot was not written: the update flag must be passed explicitly in CI", actual: received };
      throw new VivariumError(`vivarium: ${name}() cannot write its inline snapshot under Vitest ${vitestVersion()}: before 4.1.3, Vitest writes inline snapshots only into its own toMatchInlineSnapshot() calls (upgrade Vitest, use toMatchFootprintSnapshot(), or write the footprint into the call yourself):

${received}`);
    }
  };
}
function vitestSnapshots() {
  const native = vitest.Snapshots;
  return {
    begin(state, name) {
      const assertion = state.assertion ?? state.__vitest_assertion__;
      if (!native || !assertion)
        return legacyCall(state, name);
      chai.util.flag(assertion, "error", new Error(name));
      return {
        toMatchSnapshot: (value, hint) => native.toMatchSnapshot.call(state, value, ...args(hint)),
        toMatchInlineSnapshot: (value, snapshot) => native.toMatchInlineSnapshot.call(state, value, ...args(snapshot))
      };
    }
  };
}

// packages/vitest-plugin/dist/setup.js
var poolProblem = unsupportedPoolReason();
if (poolProblem)
  throw new VivariumError(poolProblem);
var rootDir = vitestRoot();
var verdicts = TestVerdicts.forRun(rootDir);
var session = Session.get();
expect2.extend(createMatchers(matcherContext(session, rootDir, vitestSnapshots())));
addFootprintSerializer();
session.beginFile();
beforeEach((context) => {
  session.beginTest(fullName(context.task));
});
afterEach((context) => {
  const task = context.task;
  const error = verdicts.complete(session, task.file?.filepath ?? "", fullName(task));
  if (error)
    throw error;
});
afterAll(() => {
  const error = verdicts.completeFile(session, vitestTestFile());
  if (error)
    throw error;
});
//# sourceMappingURL=setup.js.map
