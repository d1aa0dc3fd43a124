// The question a DNS query asks, read from its bytes: one question or none.
import { describe, expect, test } from 'vitest';
import { decodeDnsQuestion } from '../src/dns-message.js';

/** A query whose header counts `qdcount` questions, one per name, each of `type` (28: AAAA). */
function query(names: string[], qdcount = names.length, type = 28): Uint8Array {
  const question = (name: string) => [
    ...name.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')])),
    Buffer.from([0, 0, type, 0, 1]),
  ];
  return Buffer.concat([Buffer.from([0xab, 0xcd, 1, 0, qdcount >> 8, qdcount & 0xff, 0, 0, 0, 0, 0, 0]), ...names.flatMap(question)]);
}

describe('decodeDnsQuestion', () => {
  test('a query of one question: its name, type and ID', () => {
    expect(decodeDnsQuestion(query(['svc.vivarium.test']))).toEqual({ name: 'svc.vivarium.test', type: 'AAAA', id: 0xabcd });
  });

  test('a name cut short, or compressed, is no question', () => {
    const whole = query(['svc.vivarium.test']);
    expect(decodeDnsQuestion(whole.subarray(0, 20))).toBeUndefined();
    const compressed = Buffer.from(whole);
    compressed[12] = 0xc0;
    expect(decodeDnsQuestion(compressed)).toBeUndefined();
  });

  // A second question would never be judged: the first must not vouch for it.
  test('a message of several questions, or none, asks nothing readable', () => {
    expect(decodeDnsQuestion(query(['svc.vivarium.test', 'tracker.example.invalid']))).toBeUndefined();
    expect(decodeDnsQuestion(query(['svc.vivarium.test'], 2))).toBeUndefined();
    expect(decodeDnsQuestion(query(['svc.vivarium.test'], 0))).toBeUndefined();
    expect(decodeDnsQuestion(query([], 0))).toBeUndefined();
  });
});
