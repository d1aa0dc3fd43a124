// vivariumd entry point: one-line errors that name the fix, exit code 1.
import { readFileSync } from 'node:fs';
import { USAGE, UsageError, parseOptions } from './options.js';
import { run } from './run.js';
import { formatStatus, readStatus } from './status.js';
import { waitForDaemon } from './status-wait.js';
import { stop } from './stop.js';

const log = (line: string) => console.log(`vivariumd: ${line}`);
/** The daemon's own log: stderr, plain text (journald and CI logs take it as it is). */
const daemonLog = (line: string) => console.error(`vivariumd: ${line}`);

export async function main(argv: string[]): Promise<number> {
  try {
    const options = parseOptions(argv);
    switch (options.command) {
      case 'help':
        console.log(USAGE);
        return 0;
      case 'version': {
        const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
        console.log(pkg.version);
        return 0;
      }
      case 'status': {
        const waited = options.wait === undefined ? undefined : await waitForDaemon(options.pinDir, options.socket, options.wait);
        if (waited && 'socketOnly' in waited) {
          console.log(options.json ? JSON.stringify({ socket: options.socket, serving: true }) : waited.socketOnly);
          return 0;
        }
        const status = waited?.status ?? readStatus(options.pinDir, options.socket);
        console.log(options.json ? JSON.stringify(status, null, 2) : formatStatus(status));
        return 0;
      }
      case 'stop':
        await stop(options.pinDir, options.socket, log);
        return 0;
      case 'run':
        await run(options, daemonLog);
        return 0;
    }
  } catch (err) {
    const message = (err as Error).message;
    console.error(message.startsWith('vivarium') ? message : `vivariumd: ${message}`);
    if (process.env.VIVARIUM_DEBUG && !(err instanceof UsageError)) console.error(err);
    return err instanceof UsageError ? 2 : 1;
  }
}
