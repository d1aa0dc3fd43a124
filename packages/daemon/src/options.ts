// vivariumd's command line.
import { parseArgs } from 'node:util';
import { resolvePinDir, socketPathFor } from '@vivarium/core';
import type { BackendChoice } from './objects.js';
import { UPROBE_KINDS, type UprobeKind } from './uprobes/table.js';

export const USAGE = `Usage: vivariumd [run] [options]     load and attach, then serve in the foreground
       vivariumd status [--json] [--wait SECONDS]
                                       what is attached, who is observed, per-slot counters
                                       (--wait: until vivariumd serves, for scripts; exit 1 after SECONDS)
       vivariumd stop                  detach and unpin everything vivariumd pinned

Options:
  --pin-dir DIR      pin directory on bpffs (default $VIVARIUM_BPF_PIN_DIR or /sys/fs/bpf/vivarium)
  --backend NAME     auto | syscalls | lsm (default auto: lsm if the kernel loads it, else syscalls)
  --rings N          workers registered at once, at most; each gets its ring when it registers (default 1024)
  --ring-size BYTES  bytes per worker ring, a power of two >= 4096 (default 4194304)
  --max-targets N    processes observed at once, workers and their descendants (default 16384)
  --dns-port PORTS   ports whose outgoing messages are DNS queries, up to 4, comma-separated (default 53; 0: none)
  --socket PATH      where workers register (default /run/vivarium/<pin dir name>.sock)
  --object PATH      the backend's BPF object, or a directory of <backend>.bpf.o (default: shipped ones)
  --group NAME       members of group NAME may register workers (the socket is root:NAME 0660; default: root only)
  --uprobes KINDS    the uprobe-fed kinds to observe, comma-separated: env, load, http (default all; the
                     others are unavailable and their checks fail, saying so). Each is attached once a
                     worker asks for it (a check of it, a policy, a reporter): a uprobe traps every call
                     on the machine and slows every fork of a process mapping its file (README)
  --no-uprobes       attach no uprobes: env, load and http are unavailable
  --uprobes-idle SECONDS
                     detach the uprobes once no worker has been registered for SECONDS, and attach them
                     again when a worker asks (default 60; off: keep them attached)
  --json             machine-readable status
  -h, --help         this text
  --version          print the version`;

export interface Options {
  command: 'run' | 'status' | 'stop' | 'help' | 'version';
  pinDir: string;
  backend: BackendChoice;
  rings: number;
  ringSize: number;
  maxTargets: number;
  dnsPorts: number[];
  socket: string;
  objectPath: string | undefined;
  /** Group whose members may register workers (socket root:group 0660), or undefined: root only. */
  group: string | undefined;
  json: boolean;
  /** status --wait: seconds to wait for the daemon to serve. */
  wait: number | undefined;
  /** The uprobe-fed kinds to attach for (--uprobes; --no-uprobes: none). */
  uprobes: readonly UprobeKind[];
  /** --uprobes-idle: seconds without a registered worker before the uprobes are detached; undefined: never. */
  uprobesIdle: number | undefined;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

function positiveInt(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`vivariumd: ${flag} must be a whole number, got '${raw}'`);
  return Number(raw);
}

export function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'pin-dir': { type: 'string' },
        backend: { type: 'string', default: 'auto' },
        rings: { type: 'string', default: '1024' },
        'max-targets': { type: 'string', default: '16384' },
        socket: { type: 'string' },
        'ring-size': { type: 'string', default: String(4 << 20) },
        object: { type: 'string' },
        group: { type: 'string' },
        'dns-port': { type: 'string', default: '53' },
        json: { type: 'boolean', default: false },
        'no-uprobes': { type: 'boolean', default: false },
        uprobes: { type: 'string' },
        'uprobes-idle': { type: 'string', default: '60' },
        wait: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    // parseArgs explains some mistakes over several lines: keep errors to one.
    throw new UsageError(`vivariumd: ${(err as Error).message.replace(/\s*\n\s*/g, ' ')} (see vivariumd --help)`);
  }
  const { values, positionals } = parsed;
  const command = values.help ? 'help' : values.version ? 'version' : (positionals[0] ?? 'run');
  if (!['run', 'status', 'stop', 'help', 'version'].includes(command))
    throw new UsageError(`vivariumd: unknown command '${command}' (run, status or stop)`);
  if (positionals.length > 1) throw new UsageError(`vivariumd: unexpected argument '${positionals[1]}'`);
  const backend = values.backend!;
  if (!['auto', 'syscalls', 'lsm'].includes(backend))
    throw new UsageError(`vivariumd: --backend must be auto, syscalls or lsm, got '${backend}'`);
  const rings = positiveInt(values.rings!, '--rings');
  if (rings < 1 || rings > 65536) throw new UsageError(`vivariumd: --rings must be between 1 and 65536, got ${rings}`);
  const maxTargets = positiveInt(values['max-targets']!, '--max-targets');
  if (maxTargets < 16 || maxTargets > 1 << 20) throw new UsageError(`vivariumd: --max-targets must be between 16 and 1048576, got ${maxTargets}`);
  const ringSize = positiveInt(values['ring-size']!, '--ring-size');
  if (ringSize < 4096 || (ringSize & (ringSize - 1)) !== 0 || ringSize > 1 << 30)
    throw new UsageError(`vivariumd: --ring-size must be a power of two between 4096 and 1073741824, got ${ringSize}`);
  const dnsPorts = values['dns-port']!.split(',').map((p) => positiveInt(p.trim(), '--dns-port')).filter((p) => p !== 0);
  if (dnsPorts.some((p) => p > 65535)) throw new UsageError(`vivariumd: --dns-port ports must be between 1 and 65535, got ${values['dns-port']}`);
  if (dnsPorts.length > 4) throw new UsageError(`vivariumd: --dns-port takes at most 4 ports, got ${dnsPorts.length}`);
  const group = values.group;
  if (group !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/.test(group))
    throw new UsageError(`vivariumd: --group must be a group name or number, got '${group}'`);
  if (values.wait !== undefined && command !== 'status') throw new UsageError(`vivariumd: --wait goes with status (vivariumd status --wait SECONDS)`);
  const wait = values.wait === undefined ? undefined : positiveInt(values.wait, '--wait');
  const pinDir = resolvePinDir(values['pin-dir']);
  const idle = values['uprobes-idle']!;
  if (idle !== 'off' && !/^\d+$/.test(idle)) throw new UsageError(`vivariumd: --uprobes-idle takes seconds or off, got '${idle}'`);
  const uprobesIdle = idle === 'off' ? undefined : Number(idle);
  // A timer holds at most 2^31 - 1 ms.
  if (uprobesIdle !== undefined && (uprobesIdle < 1 || uprobesIdle > 2_147_483))
    throw new UsageError(`vivariumd: --uprobes-idle must be between 1 and 2147483 seconds, got ${uprobesIdle} (off: never detach them)`);
  return {
    ...parsedUprobes(values.uprobes, values['no-uprobes']!),
    command: command as Options['command'],
    dnsPorts: [...new Set(dnsPorts)],
    pinDir,
    socket: values.socket ?? socketPathFor(pinDir),
    maxTargets,
    backend: backend as BackendChoice,
    rings,
    ringSize,
    objectPath: values.object,
    group,
    json: values.json!,
    wait,
    uprobesIdle,
  };
}

/** --uprobes KINDS / --no-uprobes. */
function parsedUprobes(list: string | undefined, none: boolean): Pick<Options, 'uprobes'> {
  if (none && list !== undefined) throw new UsageError(`vivariumd: --uprobes and --no-uprobes contradict each other (give one)`);
  if (none) return { uprobes: [] };
  if (list === undefined) return { uprobes: UPROBE_KINDS };
  const kinds = list.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !(UPROBE_KINDS as readonly string[]).includes(k));
  if (unknown.length || !kinds.length)
    throw new UsageError(`vivariumd: --uprobes takes kinds among ${UPROBE_KINDS.join(', ')}, comma-separated, got '${list}' (none at all: --no-uprobes)`);
  // In the table's order, once each.
  return { uprobes: UPROBE_KINDS.filter((k) => kinds.includes(k)) };
}
