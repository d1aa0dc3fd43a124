// `vivariumd status --wait SECONDS`: for scripts and units that start
// vivariumd in the background. Waits until the daemon serves — its pins are
// in place, it holds the pin dir, and its socket answers a request (an
// answer comes from its event loop, so the socket's owner and mode are
// already set) — then prints the status; fails after SECONDS saying what was
// still missing. A user who may not read the pins (a --group member) waits
// for the socket alone.
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbiMismatchError, VivariumError } from '@vivarium/core';
import { type Status, readStatus } from './status.js';

const POLL_MS = 100;

/** Whether something answers one request line on `socket` within `timeoutMs`. */
export function socketAnswers(socket: string, timeoutMs = 1000): Promise<true | string> {
  return new Promise((resolve) => {
    const client = connect(socket);
    let answer = '';
    const done = (result: true | string) => {
      clearTimeout(timer);
      client.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(`${socket} accepted a connection but did not answer`), timeoutMs);
    client.on('error', (err: NodeJS.ErrnoException) => done(`${socket}: ${err.code ?? err.message}`));
    client.on('connect', () => client.write('{"op":"ping"}\n'));
    // Any line is an answer (this one refuses the request): the daemon serves.
    client.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\n')) done(true);
    });
    client.on('end', () => done(`${socket} closed the connection without answering`));
  });
}

export type WaitResult = { status: Status } | { socketOnly: string };

/** Polls until the daemon serves; every failure before the deadline is retried
 * (pins appear one by one while it starts), the last one is named at the end. */
export async function waitForDaemon(pinDir: string, socket: string, seconds: number): Promise<WaitResult> {
  const deadline = Date.now() + seconds * 1000;
  let pinsReadable = true;
  for (;;) {
    let status: Status | undefined;
    let missing: string | undefined;
    if (pinsReadable)
      try {
        status = readStatus(pinDir, socket);
        if (!status.daemon.running) missing = `no vivariumd holds ${pinDir} yet`;
      } catch (err) {
        const message = (err as Error).message;
        if (err instanceof AbiMismatchError) throw err;
        // A --group member: the pins are root's, the socket tells whether it serves.
        if (/EACCES/.test(message)) pinsReadable = false;
        else missing = message.replace(/^vivariumd?: /, '');
      }
    if (!missing) {
      const answered = await socketAnswers(socket);
      if (answered === true) return status ? { status } : { socketOnly: `vivariumd serves on ${socket} (its status needs root: the pins are root's only)` };
      missing = answered;
    }
    if (Date.now() >= deadline) throw new VivariumError(`vivariumd: not ready after ${seconds} s: ${missing} (is vivariumd starting? see its log)`);
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
  }
}
