import { describe, expect, test } from 'vitest';
import type { VivariumEvent } from '../../src/events.js';
import { Attribution, type CallKeys, MAX_CALLS } from '../../src/provenance/attribute.js';
import type { Origin } from '../../src/provenance/origin.js';
import { byChild, connect, dns, event, exec, inet, open, rename, unix } from '../helpers/events.js';

const WORKER = { pid: 10, tid: 10 };
const POOL = { pid: 10, tid: 11 };

function call(api: string, start: number, end: number, keys: CallKeys = {}, extra: { spawn?: boolean; own?: boolean } = {}) {
  const origin: Origin = { api, stack: [] };
  return { start, end, sync: Number.isFinite(end), keys, origin: () => origin, ...extra };
}

const apis = (events: VivariumEvent[]) => events.map((e) => e.origin?.api);

describe('Attribution', () => {
  test('main-thread events belong to the synchronous call running then', () => {
    const a = new Attribution();
    a.add(call('fs.readFileSync', 100, 200));
    a.add(call('fs.writeFileSync', 300, 400));
    const events = [open('/a', { ...WORKER, timeNs: 150 }), open('/b', { ...WORKER, timeNs: 350 }), open('/c', { ...WORKER, timeNs: 250 })];
    expect(apis(a.attribute(events))).toEqual(['fs.readFileSync', 'fs.writeFileSync', undefined]);
  });

  test('a thread-pool event belongs to the latest earlier call naming its path (or a directory above it)', () => {
    const a = new Attribution();
    a.add(call('fs.promises.readFile', 100, Infinity, { paths: ['/a'] }));
    a.add(call('fs.promises.rm', 110, Infinity, { paths: ['/dir'] }));
    a.add(call('fs.readFile', 120, Infinity, { paths: ['/a'] }));
    const events = [open('/a', { ...POOL, timeNs: 115 }), open('/a', { ...POOL, timeNs: 130 }), open('/dir/x/y', { ...POOL, timeNs: 130 }), open('/dirx', { ...POOL, timeNs: 130 }), open('/a', { ...POOL, timeNs: 90 })];
    expect(apis(a.attribute(events))).toEqual(['fs.promises.readFile', 'fs.readFile', 'fs.promises.rm', undefined, undefined]);
  });

  test("a call with a user frame wins over a later one without (a stream's own fs.open)", () => {
    const a = new Attribution();
    const site = { file: '/app/lib.js', line: 3, column: 4 };
    a.add({ ...call('fs.createReadStream', 100, Infinity, { paths: ['/a'] }), origin: () => ({ api: 'fs.createReadStream', site, stack: [] }) });
    a.add(call('fs.open', 110, Infinity, { paths: ['/a'] }));
    a.add(call('fs.open', 120, Infinity, { paths: ['/b'] }));
    expect(apis(a.attribute([open('/a', { ...POOL, timeNs: 130 }), open('/b', { ...POOL, timeNs: 130 })]))).toEqual(['fs.createReadStream', 'fs.open']);
  });

  test('an origin is worked out when first read, once', () => {
    const a = new Attribution();
    let printed = 0;
    a.add({ ...call('fs.readFileSync', 100, 200), origin: () => (printed++, { api: 'fs.readFileSync', stack: [] }) });
    const [first, second] = a.attribute([open('/a', { ...WORKER, timeNs: 150 }), open('/b', { ...WORKER, timeNs: 160 })]);
    expect(printed).toBe(0);
    expect(first!.origin?.api).toBe('fs.readFileSync');
    expect({ ...second! }.origin?.api).toBe('fs.readFileSync');
    expect(JSON.parse(JSON.stringify(first)).origin).toEqual({ api: 'fs.readFileSync', stack: [] });
    expect(printed).toBe(2); // once per event read (the call memoises in the recorder)
  });

  test('both paths of a rename are keys', () => {
    const a = new Attribution();
    a.add(call('fs.promises.rename', 100, Infinity, { paths: ['/old', '/new'] }));
    expect(apis(a.attribute([rename('rename', '/elsewhere', '/new', { ...POOL, timeNs: 120 })]))).toEqual(['fs.promises.rename']);
  });

  test('connects by port or socket path; DNS queries by name; resolver work of getaddrinfo by the latest lookup', () => {
    const a = new Attribution();
    a.add(call('dns.lookup', 100, Infinity, { host: 'example.org' }));
    a.add(call('net.connect', 110, Infinity, { port: 8080 }));
    a.add(call('net.connect', 120, Infinity, { socketPath: '/run/app.sock' }));
    const events = [
      connect(inet('127.0.0.1', 8080), { ...WORKER, timeNs: 130 }),
      connect(unix('/run/app.sock'), { ...WORKER, timeNs: 130 }),
      connect(inet('127.0.0.1', 9999), { ...WORKER, timeNs: 130 }),
      dns('example.org.search.local', { ...POOL, timeNs: 130 }),
      connect(inet('127.0.0.53', 53), { ...POOL, timeNs: 130 }),
      open('/etc/hosts', { ...POOL, timeNs: 130 }),
      open('/etc/hosts', { ...WORKER, timeNs: 130 }),
    ];
    expect(apis(a.attribute(events))).toEqual(['net.connect', 'net.connect', undefined, 'dns.lookup', 'dns.lookup', 'dns.lookup', undefined]);
  });

  test("children carry their spawn's call, and so do theirs", () => {
    const a = new Attribution();
    a.add(call('child_process.spawn', 100, 200, {}, { spawn: true }));
    const events = [
      event('fork', { ...WORKER, timeNs: 150, childPid: 4242 }),
      exec('/bin/sh', ['sh'], { ...byChild, timeNs: 300 }),
      event('fork', { ...byChild, timeNs: 310, childPid: 4343 }),
      exec('/bin/ls', ['ls'], { child: true, pid: 4343, tid: 4343, timeNs: 320 }),
      exec('/bin/ls', ['ls'], { child: true, pid: 5555, tid: 5555, timeNs: 320 }),
    ];
    expect(apis(a.attribute(events))).toEqual(['child_process.spawn', 'child_process.spawn', 'child_process.spawn', 'child_process.spawn', undefined]);
  });

  test("Vivarium's own I/O is dropped; a forgotten call attributes nothing", () => {
    const a = new Attribution();
    a.add(call('vivarium', 100, 200, {}, { own: true }));
    a.add(call('fs.readFileSync', 300, 400));
    expect(a.attribute([open('/pkg/package.json', { ...WORKER, timeNs: 150 }), open('/x', { ...WORKER, timeNs: 350 })]).map((e) => e.origin?.api)).toEqual(['fs.readFileSync']);
    a.forget(500);
    expect(a.size).toBe(0);
    expect(apis(a.attribute([open('/x', { ...WORKER, timeNs: 350 })]))).toEqual([undefined]);
  });

  test('at most MAX_CALLS of each sort are kept between drains: the oldest go first', () => {
    const a = new Attribution();
    for (let i = 0; i <= MAX_CALLS; i++) a.add(call('fs.openSync', 2 * i, 2 * i + 1));
    expect(a.size).toBe(MAX_CALLS / 2 + 1);
    expect(apis(a.attribute([open('/x', { ...WORKER, timeNs: 0 }), open('/x', { ...WORKER, timeNs: 2 * MAX_CALLS })]))).toEqual([undefined, 'fs.openSync']);
  });

  test('forget keeps the latest pending calls only', () => {
    const a = new Attribution();
    for (let i = 0; i < 5; i++) a.add(call('fs.readFile', i, Infinity, { paths: [`/${i}`] }));
    a.forget(100, 2);
    expect(a.size).toBe(2);
  });
});
