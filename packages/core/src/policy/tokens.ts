// Tokens usable at the start of any path pattern: <cwd>, <tmp>, <home>, <rootDir>.
import { realpathSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';

export interface TokenValues {
  cwd: string;
  tmp: string;
  home: string;
  rootDir: string;
}

export const TOKEN_NAMES = ['cwd', 'tmp', 'home', 'rootDir'] as const;

// Read once, when Vivarium is loaded: tmpdir() and homedir() read TMPDIR,
// TMP, TEMP and HOME, which inside a test would be env events of Vivarium's own.
const PROCESS_TMP = tmpdir();
const PROCESS_HOME = homedir();

export function currentTokens(rootDir: string = process.cwd()): TokenValues {
  return { cwd: process.cwd(), tmp: PROCESS_TMP, home: PROCESS_HOME, rootDir };
}

function realOrSame(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The pattern with tokens replaced; two variants when a token's directory is
 * reached through a symlink, since the kernel reports resolved paths. */
export function expandTokens(pattern: string, tokens: TokenValues): string[] {
  const unknown = [...pattern.matchAll(/<([^<>/]*)>/g)].map((m) => m[1]!).filter((n) => !(TOKEN_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw new TypeError(
      `vivarium: unknown token <${unknown[0]}> in pattern '${pattern}' (known: ${TOKEN_NAMES.map((t) => `<${t}>`).join(', ')})`,
    );
  const plain = pattern.replace(/<(cwd|tmp|home|rootDir)>/g, (_, name: keyof TokenValues) => tokens[name]);
  const real = pattern.replace(/<(cwd|tmp|home|rootDir)>/g, (_, name: keyof TokenValues) => realOrSame(tokens[name]));
  return plain === real ? [plain] : [plain, real];
}
