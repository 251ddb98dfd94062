/** Reads test/fixtures/ggml/ggml-ref.json, written by scripts/fixtures/ggml.sh from ggml's C code. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface GgmlCase {
  name: string;
  note: string;
  count: number;
  x: Float32Array;
  q8_0: Uint8Array;
  q4_0: Uint8Array;
  dequantizedQ8_0: Float32Array;
  dequantizedQ4_0: Float32Array;
}

export interface GgmlFixture {
  reference: string;
  compiler: string;
  cases: GgmlCase[];
  fp16Edges: [number, number][];
  fp32ToFp16: { seed: number; count: number; fnv1a: number };
  fp16ToFp32: { count: number; fnv1a: number };
}

function bytes(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

function floats(b64: string): Float32Array {
  const b = bytes(b64);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

export function loadFixture(): GgmlFixture {
  const file = path.join(__dirname, '..', 'fixtures', 'ggml', 'ggml-ref.json');
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  return {
    reference: raw.reference,
    compiler: raw.compiler,
    cases: raw.cases.map((c: Record<string, string | number>) => ({
      name: c.name,
      note: c.note,
      count: c.count,
      x: floats(c.x as string),
      q8_0: bytes(c.q8_0 as string),
      q4_0: bytes(c.q4_0 as string),
      dequantizedQ8_0: floats(c.dequantized_q8_0 as string),
      dequantizedQ4_0: floats(c.dequantized_q4_0 as string),
    })),
    fp16Edges: raw.fp16_edges,
    fp32ToFp16: raw.fp32_to_fp16,
    fp16ToFp32: raw.fp16_to_fp32,
  };
}

/** Float32 bit patterns, so that -0 vs 0 and NaN payloads compare exactly. */
export function bitsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

/** Bit patterns with every NaN folded to one value (ggml and V8 may differ in NaN payloads). */
export function bitsNaNFolded(a: Float32Array): number[] {
  const bits = bitsOf(a);
  return Array.from(a, (v, i) => (Number.isNaN(v) ? 0x7fc00000 : bits[i]!));
}
