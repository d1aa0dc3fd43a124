// A typed view of one struct shared with the kernel side. The codecs
// themselves are generated from the BPF object's BTF (abi.generated.ts).
export interface Codec<T> {
  readonly size: number;
  decode(view: DataView, at?: number): T;
  encode(value: T, view: DataView, at?: number): void;
}

export function encode<T>(codec: Codec<T>, value: T): Uint8Array {
  const bytes = new Uint8Array(codec.size);
  codec.encode(value, new DataView(bytes.buffer));
  return bytes;
}

export function decode<T>(codec: Codec<T>, bytes: Uint8Array): T {
  return codec.decode(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
