import { describe, expect, it } from 'vitest';

import { ISA_NAMES, QuantaError, capabilities, dequantizeLinear, dynamicQuantizeLinear, quantizeLinear } from '../../lib/index.js';

const usableIsas = () => ISA_NAMES.filter((name) => capabilities().unavailable[name] === null);

describe('quantizeLinear (ONNX semantics)', () => {
  it('rounds half to even after a true division and saturates', () => {
    const x = new Float32Array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 1000, -1000, Infinity, -Infinity]);
    const q = quantizeLinear(x, 1, new Int8Array([0]));
    expect(q.dtype).toBe('int8');
    expect(Array.from(q.data)).toEqual([0, 2, 2, 0, -2, -2, 127, -128, 127, -128]);
  });

  it('defaults to uint8 like ONNX and maps NaN to the lowest code like onnxruntime', () => {
    const q = quantizeLinear(new Float32Array([NaN, -1, 1]), 0.5, 10);
    expect(q.dtype).toBe('uint8');
    expect(Array.from(q.data)).toEqual([0, 8, 12]);
    expect(Array.from(quantizeLinear(new Float32Array([NaN]), 0.5, 3, { dtype: 'int4' }).data)).toEqual([0x8]);
  });

  it('gives the same codes on every path this machine runs', () => {
    const x = new Float32Array(4099).map((_, i) => Math.sin(i) * 300);
    const want = quantizeLinear(x, 0.37, new Uint8Array([131]), { isa: 'ref' }).data;
    for (const isa of usableIsas()) {
      expect(Array.from(quantizeLinear(x, 0.37, new Uint8Array([131]), { isa }).data), isa).toEqual(Array.from(want));
    }
  });

  it('rejects zero, negative, NaN and infinite scales with a stable code', () => {
    for (const s of [0, -1, NaN, Infinity]) {
      expect(() => quantizeLinear(new Float32Array(3), s)).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_SCALE' }));
    }
  });

  it('round-trips through dequantizeLinear', () => {
    const x = { type: 'float32', data: new Float32Array([-1, -0.5, 0, 0.25, 1, 2]), dims: [2, 3] };
    const q = quantizeLinear(x, new Float32Array([0.01, 0.02, 0.03]), new Int8Array([0, 1, -1]), { axis: 1 });
    const back = dequantizeLinear(q);
    expect(back.dims).toEqual([2, 3]);
    for (let i = 0; i < 6; i++) expect(Math.abs(back.data[i]! - x.data[i]!)).toBeLessThanOrEqual(0.015 + 1e-7);
  });

  it('dynamicQuantizeLinear follows the ONNX formula', () => {
    const x = new Float32Array([0, 2, -3, -2.5, 1.34, 0.5]);
    const r = dynamicQuantizeLinear(x);
    expect(r.scale).toBe(Math.fround(5 / 255));
    expect(r.zeroPoint).toBe(153);
    expect(Array.from(r.y.data)).toEqual([153, 255, 0, 26, 221, 179]);
  });

  it('is a QuantaError', () => {
    try {
      quantizeLinear(new Float32Array(2), 1, 300);
    } catch (e) {
      expect(e).toBeInstanceOf(QuantaError);
      expect((e as QuantaError).code).toBe('ERR_QUANTA_INVALID_ZERO_POINT');
      return;
    }
    throw new Error('expected a throw');
  });
});

describe('outputs', () => {
  it('writes into a caller-provided out and returns it', () => {
    const x = new Float32Array([1, 2, 3]);
    const out = new Int8Array(3);
    const q = quantizeLinear(x, 1, new Int8Array([0]), { out });
    expect(q.data).toBe(out);
    expect(Array.from(out)).toEqual([1, 2, 3]);
    const back = new Float32Array(3);
    expect(dequantizeLinear(q, undefined, undefined, { out: back }).data).toBe(back);
    expect(Array.from(back)).toEqual([1, 2, 3]);
  });

  it('rejects an out of the wrong type or length', () => {
    expect(() => quantizeLinear(new Float32Array(3), 1, new Int8Array([0]), { out: new Int8Array(2) })).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_ARGUMENT' }));
    expect(() => quantizeLinear(new Float32Array(3), 1, new Int8Array([0]), { out: new Uint8Array(3) })).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_ARGUMENT' }));
  });

  it('allocates large outputs from zeroed huge-page memory that stays valid', () => {
    const n = 3 * 1024 * 1024;
    const x = new Float32Array(n).fill(2);
    const q = quantizeLinear(x, 1, new Uint8Array([7]));
    expect(q.data.length).toBe(n);
    expect(q.data[0]).toBe(9);
    expect(q.data[n - 1]).toBe(9);
    const back = dequantizeLinear(q);
    expect(back.data[n - 1]).toBe(2);
  });
});
