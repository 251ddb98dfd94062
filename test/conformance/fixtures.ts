/**
 * Loading the committed reference vectors (test/fixtures/onnx, test/fixtures/torch) and comparing
 * float32 results bit for bit. Fixtures store float32 data as IEEE-754 bit patterns so NaN, -0,
 * infinities and subnormals survive JSON; comparisons are on those bits, never on values, so -0
 * vs +0 or one ulp is a failure.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FixtureTensor {
  type: string;
  dims: number[];
  data: number[];
}

export interface FixtureFile<C> {
  description: string;
  generator: string;
  versions: Record<string, string>;
  cases: C[];
}

const root = join(__dirname, '..', 'fixtures');

export function loadFixture<C>(family: 'onnx' | 'torch', file: string): FixtureFile<C> {
  return JSON.parse(readFileSync(join(root, family, file), 'utf8')) as FixtureFile<C>;
}

export function floatsFromBits(bits: readonly number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

export function bitsOf(values: Float32Array): number[] {
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
}

/** A float32 value's bit pattern, e.g. for a scalar scale. */
export function bitsOfNumber(value: number): number {
  return new Uint32Array(Float32Array.of(value).buffer)[0]!;
}

/** The indices at which two bit-pattern arrays differ, with both values, for readable failures. */
export function bitMismatches(got: readonly number[], want: readonly number[], inputs?: Float32Array, limit = 8): string[] {
  const out: string[] = [];
  if (got.length !== want.length) out.push(`length ${got.length} != ${want.length}`);
  const n = Math.min(got.length, want.length);
  for (let i = 0; i < n && out.length < limit; i++) {
    if (got[i] !== want[i]) {
      const g = floatsFromBits([got[i]!])[0];
      const w = floatsFromBits([want[i]!])[0];
      out.push(`[${i}]${inputs ? ` x=${inputs[i]}` : ''}: got ${g} (0x${got[i]!.toString(16)}), want ${w} (0x${want[i]!.toString(16)})`);
    }
  }
  return out;
}

export function intMismatches(got: ArrayLike<number>, want: readonly number[], inputs?: Float32Array, limit = 8): string[] {
  const out: string[] = [];
  if (got.length !== want.length) out.push(`length ${got.length} != ${want.length}`);
  const n = Math.min(got.length, want.length);
  for (let i = 0; i < n && out.length < limit; i++) {
    if (got[i] !== want[i]) out.push(`[${i}]${inputs ? ` x=${inputs[i]}` : ''}: got ${got[i]}, want ${want[i]}`);
  }
  return out;
}

/** Codes of a 4-bit tensor in ONNX order (element 2i in the low nibble), sign-extended for int4. */
export function unpack4(packed: Uint8Array | Int8Array, count: number, signed: boolean): number[] {
  const out: number[] = [];
  const bytes = new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength);
  for (let i = 0; i < count; i++) {
    const v = (bytes[i >> 1]! >> ((i & 1) * 4)) & 15;
    out.push(signed && v > 7 ? v - 16 : v);
  }
  return out;
}

export function pack4(codes: readonly number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(codes.length / 2));
  codes.forEach((c, i) => {
    out[i >> 1]! |= (c & 15) << ((i & 1) * 4);
  });
  return out;
}
