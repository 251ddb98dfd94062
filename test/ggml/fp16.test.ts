/**
 * @petamoriken/float16 against ggml's own fp16 conversions (ggml_compute_fp32_to_fp16 and
 * ggml_compute_fp16_to_fp32, transcribed in scripts/fixtures/ggml_ref.c): edge values one by
 * one, float32 -> fp16 over a 78,848-value sample that hits every rounding tie between 2^-26 and
 * 2^17, and fp16 -> float32 for every non-NaN half. Both sides hash with FNV-1a.
 */
import { describe, expect, it } from 'vitest';

import { fp16BitsToFp32, fp32ToFp16Bits } from '../../lib/ggml/fp16.js';
import { loadFixture } from './fixture.js';

const fixture = loadFixture();
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function floatOfBits(bits: number): number {
  u32[0] = bits;
  return f32[0]!;
}

function fnv1a(h: number, v: number, bytes: number): number {
  for (let i = 0; i < bytes; i++) {
    h ^= (v >>> (8 * i)) & 0xff;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

/** The xorshift32 of ggml_ref.c. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

describe('fp16 conversion (ggml GGML_FP32_TO_FP16 / GGML_FP16_TO_FP32)', () => {
  it('matches ggml on edge values: ties, subnormals, overflow to infinity, signed zero', () => {
    for (const [bits, half] of fixture.fp16Edges) {
      expect(fp32ToFp16Bits(floatOfBits(bits)), `0x${bits.toString(16)}`).toBe(half);
    }
  });

  it('matches ggml float32 -> fp16 over every rounding tie from 2^-26 to 2^17', () => {
    const next = xorshift(fixture.fp32ToFp16.seed);
    let h = 2166136261;
    let count = 0;
    const add = (bits: number) => {
      h = fnv1a(h, fp32ToFp16Bits(floatOfBits(bits >>> 0)), 2);
      count++;
    };
    for (let e = 127 - 26; e <= 127 + 17; e++) {
      const unbiased = e - 127;
      const dropped = Math.min(23, unbiased >= -14 ? 13 : 13 + (-14 - unbiased));
      const tie = 1 << (dropped - 1);
      const lowMask = (1 << dropped) - 1;
      const lows = [0, 1, tie - 1, tie, tie + 1, lowMask];
      for (let sign = 0; sign < 2; sign++) {
        for (let r = 0; r < 64; r++) {
          const high = next() & 0x7fffff & ~lowMask;
          for (const low of lows) add((sign << 31) | (e << 23) | high | low);
        }
        for (let r = 0; r < 512; r++) add((sign << 31) | (e << 23) | (next() & 0x7fffff));
      }
    }
    expect(count).toBe(fixture.fp32ToFp16.count);
    expect(h).toBe(fixture.fp32ToFp16.fnv1a);
  });

  it('matches ggml fp16 -> float32 for every half that is not NaN', () => {
    let h = 2166136261;
    let count = 0;
    for (let v = 0; v < 65536; v++) {
      if ((v & 0x7c00) === 0x7c00 && (v & 0x3ff) !== 0) continue;
      f32[0] = fp16BitsToFp32(v);
      h = fnv1a(h, u32[0]!, 4);
      count++;
    }
    expect(count).toBe(fixture.fp16ToFp32.count);
    expect(h).toBe(fixture.fp16ToFp32.fnv1a);
  });
});
