// Property tests over hostile arguments: every call either succeeds or throws a QuantaError with
// a known code; the process never crashes and results never depend on the path or thread count.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  ISA_NAMES, QuantaError, capabilities, dequantizeLinear, matmulInteger, quantize, quantizeLinear, requantize, setNumThreads,
} from '../../lib/index.js';

const CODES = new Set([
  'ERR_QUANTA_INVALID_ARGUMENT', 'ERR_QUANTA_INVALID_DTYPE', 'ERR_QUANTA_INVALID_SHAPE', 'ERR_QUANTA_INVALID_AXIS',
  'ERR_QUANTA_INVALID_SCALE', 'ERR_QUANTA_INVALID_ZERO_POINT', 'ERR_QUANTA_NON_FINITE', 'ERR_QUANTA_EMPTY_TENSOR',
  'ERR_QUANTA_DETACHED_BUFFER',
]);

function succeedsOrQuantaError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantaError);
    expect(CODES.has((e as QuantaError).code), (e as QuantaError).code).toBe(true);
  }
}

const specialFloat = fc.oneof(
  fc.float({ noDefaultInfinity: false, noNaN: false }),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 1.1754943508222875e-38, 3.4028234663852886e38),
);
const anyScale = fc.oneof(specialFloat, fc.array(specialFloat, { maxLength: 5 }), fc.constant(undefined), fc.string());
const anyZeroPoint = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double(), fc.constant(undefined), fc.array(fc.integer({ min: -300, max: 300 }), { maxLength: 5 }));
const anyDims = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 });

describe('hostile arguments', () => {
  it('quantizeLinear: any scale, zero point, axis, block size and dims', () => {
    fc.assert(
      fc.property(anyDims, fc.integer({ min: 0, max: 130 }), anyScale, anyZeroPoint, fc.option(fc.integer({ min: -6, max: 6 })), fc.option(fc.integer({ min: -2, max: 9 })),
        (dims, length, scale, zeroPoint, axis, blockSize) => {
          const x = { type: 'float32', data: new Float32Array(length).map((_, i) => Math.sin(i) * 100), dims };
          succeedsOrQuantaError(() => quantizeLinear(x as never, scale as never, zeroPoint as never, { axis: axis ?? undefined, blockSize: blockSize ?? undefined, dtype: 'int8' }));
        }),
      { numRuns: 400 },
    );
  });

  it('quantize(): any data, including NaN, Inf, -0 and subnormals, with any options', () => {
    fc.assert(
      fc.property(fc.array(specialFloat, { maxLength: 70 }), fc.constantFrom('int8', 'uint8', 'int4', 'uint4', 'int2', 'uint2', 'int16', undefined),
        fc.boolean(), fc.option(fc.integer({ min: -3, max: 3 })), fc.option(fc.integer({ min: 0, max: 40 })), fc.constantFrom('onnxruntime', 'pytorch', 'tflite'),
        (values, dtype, symmetric, axis, groupSize, profile) => {
          const data = Float32Array.from(values);
          succeedsOrQuantaError(() => {
            const q = quantize({ type: 'float32', data, dims: [data.length] }, { dtype: dtype as never, symmetric, axis: axis ?? undefined, groupSize: groupSize ?? undefined, profile: profile as never });
            // A result must decode, and finite inputs must land within half a step (plus clamping).
            const back = dequantizeLinear(q).data;
            expect(back.length).toBe(data.length);
          });
        }),
      { numRuns: 400 },
    );
  });

  it('dequantizeLinear and requantize: mismatched counts, wrong types, out-of-range zero points', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), anyScale, anyZeroPoint, fc.option(fc.integer({ min: -3, max: 3 })), (n, scale, zeroPoint, axis) => {
        succeedsOrQuantaError(() => dequantizeLinear(new Int8Array(n), scale as never, zeroPoint as never, { axis: axis ?? undefined }));
        succeedsOrQuantaError(() => dequantizeLinear(new Float32Array(n) as never, scale as never, zeroPoint as never));
        succeedsOrQuantaError(() => requantize(new Int32Array(n).fill(2 ** 31 - 1), scale as never, zeroPoint as never, { dtype: 'uint8', axis: axis ?? undefined }));
      }),
      { numRuns: 300 },
    );
  });

  it('matmulInteger: mismatched shapes and zero points', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }), fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }), anyZeroPoint, (aDims, bDims, zp) => {
        const a = { type: 'uint8', data: new Uint8Array(aDims.reduce((x, y) => x * y, 1)), dims: aDims };
        const b = { type: 'int8', data: new Int8Array(bDims.reduce((x, y) => x * y, 1)), dims: bDims };
        succeedsOrQuantaError(() => matmulInteger(a, b, zp as never, undefined));
      }),
      { numRuns: 300 },
    );
  });

  it('names the argument, the expectation and what was received', () => {
    expect(() => quantizeLinear(new Float32Array(4), [1, 2, 3], 0, { axis: 0, dtype: 'int8' })).toThrowError(/per-axis quantization along axis 0 needs 4 scales \(dims\[0\]\), received 3/);
    expect(() => quantizeLinear(new Float32Array(4), 0)).toThrowError(/scale must be a finite number > 0, received 0/);
    expect(() => quantizeLinear({ type: 'float32', data: new Float32Array(6), dims: [2, 3] }, [1, 1], 0, { axis: 5 })).toThrowError(/axis must be an integer in \[-2, 1\], received 5/);
    expect(() => quantize(new Float32Array(4), { groupSize: 16, axis: 0 })).toThrowError(/groupSize must be at most dims\[0\] = 4, received 16/);
  });
});

describe('paths and threads', () => {
  it('gives identical codes for 1 and 2 threads on a tensor big enough to be split', () => {
    const n = (1 << 20) + 37;
    const x = new Float32Array(n).map((_, i) => Math.sin(i * 0.001) * 50 + (i % 7) * 0.5);
    setNumThreads(1);
    const one = quantizeLinear(x, 0.25, new Uint8Array([100])).data;
    setNumThreads(2);
    const two = quantizeLinear(x, 0.25, new Uint8Array([100])).data;
    setNumThreads(0);
    expect(Buffer.compare(Buffer.from(one.buffer), Buffer.from(two.buffer))).toBe(0);
  });

  it('gives identical per-channel and blocked results on every path', () => {
    const dims = [7, 67];
    const data = new Float32Array(7 * 67).map((_, i) => Math.cos(i) * 9);
    const x = { type: 'float32', data, dims };
    const paths = ISA_NAMES.filter((name) => capabilities().unavailable[name] === null);
    const run = (isa: (typeof ISA_NAMES)[number]) => [
      quantize(x, { dtype: 'int8', axis: 1, symmetric: true, isa }).data,
      quantize(x, { dtype: 'uint4', axis: 1, groupSize: 16, isa }).data,
      quantize(x, { dtype: 'uint8', axis: 0, isa }).data,
      dequantizeLinear(quantize(x, { dtype: 'int8', axis: 0 }), undefined, undefined, { isa }).data,
    ].map((a) => Array.from(a));
    const want = run('ref');
    for (const isa of paths) expect(run(isa), isa).toEqual(want);
  });
});
