import { describe, expect, test } from 'vitest';
import { internedText, sameBytes } from '../src/interned-text.js';

/** s decoded from the middle of a fresh buffer, as the decoder reads a field. */
const text = (s: string | Buffer) => {
  const buffer = Buffer.concat([Buffer.from('xx'), typeof s === 'string' ? Buffer.from(s) : s, Buffer.from('yy')]);
  return internedText({ buffer, view: new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength) }, 2, buffer.length - 2);
};

describe('internedText', () => {
  test('known bytes give their text again', () => {
    expect(text('/home/user/project/fixtures/config.json')).toBe('/home/user/project/fixtures/config.json');
    expect(text('/home/user/project/fixtures/config.json')).toBe('/home/user/project/fixtures/config.json');
  });

  test('other bytes of the same length and ending are not mistaken for a known string', () => {
    const a = text('/a/one/config.json');
    const b = text('/b/two/config.json');
    expect(a).toBe('/a/one/config.json');
    expect(b).toBe('/b/two/config.json');
    expect(text('/a/one/config.json')).toBe('/a/one/config.json');
  });

  test('UTF-8 is decoded as UTF-8, and invalid bytes as U+FFFD, the first time and the next', () => {
    expect(text('/tmp/café.txt')).toBe('/tmp/café.txt');
    expect(text('/tmp/café.txt')).toBe('/tmp/café.txt');
    // 'é' is U+00E9; the lone byte 0xE9 is invalid UTF-8 and decodes to U+FFFD.
    const latin = Buffer.from([0x2f, 0x74, 0x6d, 0x70, 0x2f, 0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]);
    expect(text(latin)).toBe('/tmp/caf\ufffd.txt');
    expect(text(latin)).toBe('/tmp/caf\ufffd.txt');
    expect(text('/tmp/café.txt')).toBe('/tmp/café.txt');
  });

  test('short and empty strings', () => {
    expect(text('')).toBe('');
    expect(text('/')).toBe('/');
    expect(text('HOME')).toBe('HOME');
    expect(text('HOME')).toBe('HOME');
  });

  test('long texts are decoded every time', () => {
    const head = `GET /${'x'.repeat(600)} HTTP/1.1`;
    expect(text(head)).toBe(head);
    expect(text(head)).toBe(head);
  });

  test('sameBytes compares every byte, whole words and the tail', () => {
    const viewOf = (s: string) => new DataView(Uint8Array.from(Buffer.from(s)).buffer);
    const a = viewOf('abcdefghij');
    const b = viewOf('xxabcdefghij');
    expect(sameBytes(a, 0, b, 2, 10)).toBe(true);
    expect(sameBytes(a, 1, b, 3, 9)).toBe(true);
    const c = viewOf('abcdefghiJ');
    expect(sameBytes(a, 0, c, 0, 10)).toBe(false); // the tail
    const d = viewOf('abCdefghij');
    expect(sameBytes(a, 0, d, 0, 10)).toBe(false); // a word
    expect(sameBytes(a, 0, c, 0, 9)).toBe(true);
  });

  test('many texts sharing a slot: each is still its own text', () => {
    for (let i = 0; i < 3000; i++) expect(text(`/var/cache/entry-${i}.bin`)).toBe(`/var/cache/entry-${i}.bin`);
    expect(text('/var/cache/entry-7.bin')).toBe('/var/cache/entry-7.bin');
  });
});
