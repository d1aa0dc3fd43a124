// The words of a footprint line made the same on every machine and in every
// run: the project, temp and home directories as <rootDir>, <tmp> and <home>
// (the most specific one that holds a path), the per-run part of a temp name
// collapsed (`<tmp>/build-Xa81Qz` → `<tmp>/build-*`), a loopback server's
// port as * (`127.0.0.1:*`; well-known ports below 1024, such as a local
// resolver's 53, stay), and process ids as `pid *`. Pure text: it reads
// any path or endpoint wherever a line carries one (subject, argv, `→ new`).
import { realpathSync } from 'node:fs';
import type { TokenValues } from '../policy/tokens.js';

/** The tokens a footprint writes, most preferred first when two name one directory. */
const FOOTPRINT_TOKENS = ['rootDir', 'tmp', 'home'] as const;

/** What may come right before a path in a line, and right after a directory. */
const BEFORE = `(?<=^|[\\s"'=:(,\\[])`;
const AFTER = `(?=$|[/\\s"',;:)\\]])`;

function realOrSame(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Each token directory (and where it really is, when reached through a symlink), longest first. */
function tokenDirs(tokens: TokenValues): Array<[dir: string, token: string]> {
  const dirs = new Map<string, string>();
  for (const name of FOOTPRINT_TOKENS)
    for (const dir of [tokens[name], realOrSame(tokens[name])].map((d) => d.replace(/\/+$/, '')))
      if (dir.startsWith('/') && !dirs.has(dir)) dirs.set(dir, `<${name}>`);
  // A stable sort: for equal lengths the order above decides.
  return [...dirs].sort(([a], [b]) => b.length - a.length);
}

/** mkdtemp's six random characters after a prefix's last '-', '_' or '.';
 * runs of 4+ digits (pids, times). Only in the name right under <tmp>. */
export function collapseTempName(name: string): string {
  return name.replace(/([-_.])[A-Za-z0-9]{6}$/, '$1*').replace(/\d{4,}/g, '*');
}

const TEMP_NAME = /<tmp>\/([^/\s"',;:)\]]+)/g;
const LOOPBACK_V4 = /\b(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost):(\d{1,5})\b/g;
const LOOPBACK_V6 = /\[(::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})\]:(\d{1,5})\b/g;
const PID = /\bpid \d+\b/g;

/** The normaliser of a run's texts, given the run's token values. */
export function stableText(tokens: TokenValues): (text: string) => string {
  const dirs = tokenDirs(tokens);
  const byDir = new Map(dirs);
  const tokenised = dirs.length ? new RegExp(`${BEFORE}(?:${dirs.map(([d]) => escape(d)).join('|')})${AFTER}`, 'g') : undefined;
  return (text) =>
    (tokenised ? text.replace(tokenised, (dir) => byDir.get(dir)!) : text)
      .replace(TEMP_NAME, (_, name: string) => `<tmp>/${collapseTempName(name)}`)
      .replace(LOOPBACK_V4, (endpoint, host: string, port: string) => (Number(port) < 1024 ? endpoint : `${host}:*`))
      .replace(LOOPBACK_V6, (endpoint, host: string, port: string) => (Number(port) < 1024 ? endpoint : `[${host}]:*`))
      .replace(PID, 'pid *');
}
