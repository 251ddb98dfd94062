/** Properties over random blocks (fast-check): conversions are lossless and errors stay bounded. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import * as quanta from '../../lib/index.js';
import {
  dequantizeMatMulNBits, dequantizeQ4_0, dequantizeQ8_0, int4ToQ4_0, int8ToQ8_0, matMulNBitsToQ4_0,
  q4_0ToInt4, q4_0ToMatMulNBits, q8_0ToInt8, quantizeQ4_0, quantizeQ8_0,
} from '../../lib/ggml/index.js';
import { bitsOf } from './fixture.js';

/** 1 to 3 rows of 1 to 3 blocks of finite float32 values, magnitudes within fp16 scale range. */
const tensors = fc
  .record({ rows: fc.integer({ min: 1, max: 3 }), blocks: fc.integer({ min: 1, max: 3 }) })
  .chain(({ rows, blocks }) =>
    fc
      .array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -6e4, max: 6e4 }), { minLength: rows * blocks * 32, maxLength: rows * blocks * 32 })
      .map((values) => ({ type: 'float32', data: Float32Array.from(values), dims: [rows, blocks * 32] })),
  );

describe('ggml conversions (properties)', () => {
  it('are exported from the package entry point', () => {
    for (const name of ['quantizeQ8_0', 'dequantizeQ8_0', 'quantizeQ4_0', 'dequantizeQ4_0', 'q4_0ToInt4', 'int4ToQ4_0', 'q8_0ToInt8', 'int8ToQ8_0', 'quantizeMatMulNBits', 'dequantizeMatMulNBits', 'q4_0ToMatMulNBits', 'matMulNBitsToQ4_0']) {
      expect(typeof (quanta as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('Q4_0 -> int4 -> Q4_0 and Q4_0 -> MatMulNBits -> Q4_0 give the same bytes and values', () => {
    fc.assert(
      fc.property(tensors, (x) => {
        const q = quantizeQ4_0(x);
        expect(Buffer.from(int4ToQ4_0(q4_0ToInt4(q)).data).equals(Buffer.from(q.data))).toBe(true);
        const w = q4_0ToMatMulNBits(q);
        expect(Buffer.from(matMulNBitsToQ4_0(w).data).equals(Buffer.from(q.data))).toBe(true);
        expect(Array.from(bitsOf(dequantizeMatMulNBits(w, { weightLayout: 'NK' }).data))).toEqual(Array.from(bitsOf(dequantizeQ4_0(q).data)));
      }),
      { numRuns: 60 },
    );
  });

  it('Q8_0 -> int8 -> Q8_0 gives the same bytes', () => {
    fc.assert(
      fc.property(tensors, (x) => {
        const q = quantizeQ8_0(x);
        expect(Buffer.from(int8ToQ8_0(q8_0ToInt8(q)).data).equals(Buffer.from(q.data))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('Q8_0 values lie within about half a step of the input', () => {
    fc.assert(
      fc.property(tensors, (x) => {
        const y = dequantizeQ8_0(quantizeQ8_0(x)).data;
        for (let b = 0; b < x.data.length / 32; b++) {
          let amax = 0;
          for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x.data[b * 32 + j]!));
          // Half a step of d = amax / 127, plus fp16's error on d (relative 2^-11, or 2^-25 absolute
          // where d is an fp16 subnormal) times the largest code.
          const d = amax / 127;
          const bound = d / 2 + 127 * Math.max(d * 2 ** -11, 2 ** -25) + 1e-12;
          for (let j = 0; j < 32; j++) expect(Math.abs(y[b * 32 + j]! - x.data[b * 32 + j]!)).toBeLessThanOrEqual(bound);
        }
      }),
      { numRuns: 60 },
    );
  });
});
