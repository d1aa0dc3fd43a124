// Which JS code caused an event: the Node API it called, the first frame of
// user code in the stack of that call, and the npm package that frame is in.
// Stacks are read as the runner prints them (its Error.prepareStackTrace maps
// them through source maps: a TypeScript test's own call is at its .ts line).
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CallSite {
  /** The function making the call, as V8 names it ('loadRc', 'Object.<anonymous>'); absent for top-level code. */
  function?: string;
  /** Absolute file (a URL's path for ES modules). */
  file: string;
  line: number;
  column: number;
}

export interface PackageId {
  name: string;
  version: string;
}

/** The JS call behind an event. */
export interface Origin {
  /** The Node API called: 'fs.readFileSync', 'child_process.spawn', 'net.connect', 'dns.lookup'. */
  api: string;
  /** The first frame outside Node's internals, Vivarium and the test runner; absent when there is none. */
  site?: CallSite;
  /** The npm package of that frame (nearest node_modules/<name>/package.json); absent for the project's own code. */
  package?: PackageId;
  /** The user frames from the first on (at most ORIGIN_STACK_FRAMES), as printed ('fn (file:line:col)'). */
  stack: string[];
}

/** Who made a call, as reports and `vivarium learn` name it. */
export const PROJECT = 'the project';
export const NO_USER_FRAME = 'no user frame';

/** 'rc@1.2.8'; PROJECT for the project's own code (a user frame outside node_modules); NO_USER_FRAME. */
export function ownerOf(origin: Origin): string {
  if (origin.package) return `${origin.package.name}@${origin.package.version}`;
  return origin.site ? PROJECT : NO_USER_FRAME;
}

/** Frames kept from the first user frame on. */
export const ORIGIN_STACK_FRAMES = 5;

const FRAME = /^\s*at (?:async )?(?:(.*?) \((.*):(\d+):(\d+)\)|(.*):(\d+):(\d+))$/;

/** The frames of a printed stack ('    at fn (file:1:2)' lines); other lines are skipped. */
export function parseStack(stack: string): CallSite[] {
  const frames: CallSite[] = [];
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const [file, l, c] = m[2] !== undefined ? [m[2], m[3], m[4]] : [m[5]!, m[6], m[7]];
    const site: CallSite = { file: fileOf(file), line: Number(l), column: Number(c) };
    // 'Object.<anonymous>' (a CommonJS module's top level, Jest's test functions) names nothing.
    if (m[1] && !m[1].endsWith('<anonymous>')) site.function = m[1];
    frames.push(site);
  }
  return frames;
}

/** A frame's file as a path ('file://' URLs of ES modules converted). */
export function fileOf(location: string): string {
  if (!location.startsWith('file://')) return location;
  try {
    return fileURLToPath(location);
  } catch {
    return location;
  }
}

/** Packages whose frames are the test machinery, never the code that caused an event. */
const RUNNER_PACKAGE = /^(?:vitest|vite|vite-node|tinypool|tinyspy|jest|jest-[\w-]+|babel-jest|ts-jest|expect|pretty-format|source-map-support|@vitest\/.*|@jest\/.*|@vivarium\/.*)$/;

/** The package a file is in: the name after its last node_modules/ (and the
 * directory that name's package.json is in); undefined outside node_modules. */
export function packageDirOf(file: string): { name: string; dir: string } | undefined {
  const marker = `${sep}node_modules${sep}`;
  const at = file.lastIndexOf(marker);
  if (at < 0) return undefined;
  const rest = file.slice(at + marker.length).split(sep);
  const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : rest[0];
  if (!name) return undefined;
  return { name, dir: file.slice(0, at + marker.length) + name };
}

/** Whether a frame is user code: not Node's, not Vivarium's, not the runner's. */
export function isUserFrame(site: CallSite, ownDirs: readonly string[]): boolean {
  const { file } = site;
  if (file.startsWith('node:') || file.startsWith('internal/') || !file.includes(sep)) return false;
  if (ownDirs.some((dir) => file.startsWith(dir))) return false;
  const pkg = packageDirOf(file);
  return !(pkg && RUNNER_PACKAGE.test(pkg.name));
}

/** The origin of a call from its printed stack: its first user frame and a few after it. */
export function originOf(api: string, stack: string, ownDirs: readonly string[], packageOf: (file: string) => PackageId | undefined): Origin {
  const frames = parseStack(stack);
  const first = frames.findIndex((f) => isUserFrame(f, ownDirs));
  if (first < 0) return { api, stack: [] };
  const site = frames[first]!;
  const pkg = packageOf(site.file);
  return {
    api,
    site,
    ...(pkg ? { package: pkg } : {}),
    stack: frames
      .slice(first)
      .filter((f) => isUserFrame(f, ownDirs))
      .slice(0, ORIGIN_STACK_FRAMES)
      .map((f) => siteText(f)),
  };
}

/** 'fn (file:line:col)', or 'file:line:col' for top-level code; file relative to `base` when under it. */
export function siteText(site: CallSite, base?: string): string {
  let file = site.file;
  if (base) {
    const rel = relative(base, file);
    if (rel && !rel.startsWith('..') && !rel.startsWith(sep)) file = rel;
  }
  const where = `${file}:${site.line}:${site.column}`;
  return site.function ? `${site.function} (${where})` : where;
}

/** 'at loadRc (node_modules/rc/index.js:41:12) [rc@1.2.8]', or 'at fs.readFileSync (no user frame)'. */
export function formatOrigin(origin: Origin, base: string = process.cwd()): string {
  if (!origin.site) return `at ${origin.api} (no user frame)`;
  const pkg = origin.package ? `  [${ownerOf(origin)}]` : '';
  return `at ${siteText(origin.site, base)}${pkg}`;
}
