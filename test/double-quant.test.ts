import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  bitsandbytesDynamicMap,
  compressScales,
  decompressScales,
  dequantizeLinear,
  dequantizeScales,
  doubleQuantizeScales,
  mse,
  quantize,
} from '../lib/index.js';

interface Case { name: string; scales: number[]; offset: number; codes: number[]; absmax: number[]; reconstructed: number[] }
const fixture = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/double-quant/bnb.json'), 'utf8')) as {
  torch: string; blocksize: number; map: number[]; cases: Case[];
};

function data(n: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Float32Array.from({ length: n }, () => next() + next() + next() - 1.5);
}

describe('double quantization of scales (bitsandbytes compress_statistics)', () => {
  it('uses the dynamic map bitsandbytes builds under PyTorch', () => {
    const map = bitsandbytesDynamicMap();
    expect(map.length).toBe(256);
    expect(Array.from(map)).toEqual(fixture.map);
    expect(map[0]).toBe(Math.fround(-0.99296875));
    expect(map[255]).toBe(1);
    expect(map[127]).toBe(0);
    for (let i = 1; i < 256; i++) expect(map[i]!).toBeGreaterThan(map[i - 1]!);
  });

  for (const c of fixture.cases) {
    it(`matches PyTorch bit for bit: ${c.name}`, () => {
      const { compressed, reconstructed } = doubleQuantizeScales(Float32Array.from(c.scales));
      expect(compressed.offset).toBe(c.offset);
      expect(Array.from(compressed.codes)).toEqual(c.codes);
      expect(Array.from(compressed.absmax)).toEqual(c.absmax);
      expect(Array.from(reconstructed)).toEqual(c.reconstructed);
      expect(Array.from(dequantizeScales(compressed))).toEqual(c.reconstructed);
    });
  }

  it('keeps group scales close and works with dequantizeLinear', () => {
    const x = { type: 'float32', data: data(64 * 512, 3), dims: [64, 512] };
    const q = quantize(x, { dtype: 'int4', symmetric: true, groupSize: 64 });
    expect(q.scale.length).toBe(64 * 8);
    const dq = compressScales(q);
    expect(dq.scale.codes.length).toBe(q.scale.length);
    expect(dq.scale.absmax.length).toBe(Math.ceil(q.scale.length / 256));
    expect(dq.data).toBe(q.data);
    const back = decompressScales(dq);
    for (let i = 0; i < q.scale.length; i++) {
      expect(Math.abs(back.scale[i]! - q.scale[i]!) / q.scale[i]!).toBeLessThan(0.02);
    }
    const exact = dequantizeLinear(q).data;
    const approx = dequantizeLinear(back).data;
    expect(mse(exact, approx)).toBeLessThan(1e-3 * mse(x.data, new Float32Array(x.data.length)));
    // 8 bits per scale plus a float32 per 256: about a quarter of float32 scales.
    const bytes = dq.scale.codes.byteLength + dq.scale.absmax.byteLength + 4;
    expect(bytes).toBeLessThan(q.scale.byteLength * 0.27);
  });

  it('takes other block sizes, partial last blocks and empty input', () => {
    const s = Float32Array.from(data(1000, 7), (v) => Math.abs(v) + 0.1);
    const { compressed, reconstructed } = doubleQuantizeScales(s, { blockSize: 64 });
    expect(compressed.absmax.length).toBe(16);
    for (let i = 0; i < s.length; i++) expect(Math.abs(reconstructed[i]! - s[i]!)).toBeLessThan(0.02);
    const empty = doubleQuantizeScales(new Float32Array(0));
    expect(empty.compressed.absmax.length).toBe(0);
    expect(empty.reconstructed.length).toBe(0);
    // All scales equal: absmax 0, every code 0 (as PyTorch's argmin over NaN), exact rebuild.
    const same = doubleQuantizeScales(new Float32Array([0.5, 0.5, 0.5]));
    expect(Array.from(same.compressed.codes)).toEqual([0, 0, 0]);
    expect(Array.from(same.reconstructed)).toEqual([0.5, 0.5, 0.5]);
  });

  it('refuses scales that would come back non-positive, and bad input', () => {
    const wide = fixture.cases.find((c) => c.name === 'wide range')!;
    expect(wide.reconstructed.some((v) => v <= 0)).toBe(true); // bitsandbytes gives negative scales here
    const q = quantize(new Float32Array(8), { axis: 0 });
    const bad = { ...q, scale: Float32Array.from(wide.scales.slice(0, 8)) };
    expect(() => compressScales(bad)).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_SCALE' }));
    expect(() => doubleQuantizeScales(new Float32Array([1, NaN]))).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_NON_FINITE' }));
    expect(() => doubleQuantizeScales([1, 2])).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_DTYPE' }));
    expect(() => doubleQuantizeScales(new Float32Array(2), { blockSize: 0 })).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_ARGUMENT' }));
    const { compressed } = doubleQuantizeScales(new Float32Array([1, 2, 3]));
    expect(() => dequantizeScales({ ...compressed, codes: new Uint8Array(2) })).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_SHAPE' }));
  });
});
