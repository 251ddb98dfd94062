// Saved packed weights: a round trip gives the same results; hostile bytes (wrong magic,
// truncated, corrupted, or consistent-looking files whose contents break the kernels' invariants)
// are refused with ERR_QUANTA_INVALID_FILE, never loaded.
import { describe, expect, it } from 'vitest';

import { gemmKernelIsa, gemmSync, loadPackedWeights, packWeights } from '../lib/index.js';
import { codeOf, lcgBytes as bytes } from './support.js';

/** Rewrites the checksum (FNV-1a 64 of all bytes but its own 8, little-endian at offset 32). */
function reseal(file: Uint8Array): Uint8Array {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < file.length; i++) if (i < 32 || i >= 40) h = ((h ^ BigInt(file[i]!)) * 0x100000001b3n) & 0xffffffffffffffffn;
  new DataView(file.buffer, file.byteOffset).setBigUint64(32, h, true);
  return file;
}

describe('packed weights serialization', () => {
  it('round-trips: same metadata, same int32 / float32 / uint8 results', () => {
    for (const [n, k, signed, layout] of [[1, 1, true, 'nk'], [37, 70, false, 'kn'], [64, 256, true, 'kn']] as const) {
      const w = bytes(n * k, n + k, signed);
      const zeroPoint = Array.from({ length: n }, (_, j) => (signed ? (j % 5) - 2 : 120 + (j % 9)));
      const scale = Float32Array.from({ length: n }, (_, j) => 0.01 + j * 1e-4);
      const bias = Float32Array.from({ length: n }, (_, j) => j - 3);
      const packed = packWeights({ type: signed ? 'int8' : 'uint8', data: w, dims: layout === 'nk' ? [n, k] : [k, n] }, { layout, zeroPoint, scale, bias });
      const file = packed.serialize();
      const loaded = loadPackedWeights(file);
      expect([loaded.n, loaded.k, loaded.dtype, loaded.layout, loaded.hasScale, loaded.packedLayout]).toEqual([n, k, signed ? 'int8' : 'uint8', layout, true, 'N16K4']);
      expect(loaded.isa).toBe(gemmKernelIsa());
      expect(loaded.serialize()).toEqual(file);
      const a = { type: 'uint8', data: bytes(5 * k, 9, false), dims: [5, k] };
      expect(gemmSync(a, loaded, { aZeroPoint: 3 }).data).toEqual(gemmSync(a, packed, { aZeroPoint: 3 }).data);
      expect(gemmSync(a, loaded, { output: 'float32', aScale: 0.1 }).data).toEqual(gemmSync(a, packed, { output: 'float32', aScale: 0.1 }).data);
      expect(gemmSync(a, loaded, { output: 'uint8', aScale: 0.1, outScale: 2, outZeroPoint: 9 }).data)
        .toEqual(gemmSync(a, packed, { output: 'uint8', aScale: 0.1, outScale: 2, outZeroPoint: 9 }).data);
      // The K bound travels with the zero points.
      expect(codeOf(() => gemmSync({ type: 'uint8', data: new Uint8Array(k), dims: [1, k] }, loaded))).toBe('none');
    }
  });

  it('refuses what is not a packed-weights file, truncated or corrupted', () => {
    const file = packWeights({ type: 'int8', data: bytes(20 * 33, 1, true), dims: [20, 33] }, { zeroPoint: 1 }).serialize();
    expect(codeOf(() => loadPackedWeights(new Uint8Array(0)))).toBe('ERR_QUANTA_INVALID_FILE');
    expect(codeOf(() => loadPackedWeights(new TextEncoder().encode('QNTAGEMM but not really a file at all....')))).toBe('ERR_QUANTA_INVALID_FILE');
    expect(codeOf(() => loadPackedWeights([1, 2, 3] as never))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    for (const cut of [1, 39, 40, 41, file.length - 1]) expect(codeOf(() => loadPackedWeights(file.subarray(0, cut)))).toBe('ERR_QUANTA_INVALID_FILE');
    expect(codeOf(() => loadPackedWeights(Uint8Array.from([...file, 0])))).toBe('ERR_QUANTA_INVALID_FILE');
    // Every single-byte corruption is caught (header fields or checksum).
    let s = 7;
    for (let trial = 0; trial < 300; trial++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const bad = file.slice();
      const at = s % bad.length;
      bad[at] = bad[at]! ^ (1 + ((s >>> 16) % 255));
      expect(codeOf(() => loadPackedWeights(bad))).toBe('ERR_QUANTA_INVALID_FILE');
    }
    // Huge dimensions in a resealed header: refused before any allocation.
    const huge = file.slice();
    new DataView(huge.buffer).setBigUint64(16, 1n << 40n, true);
    expect(codeOf(() => loadPackedWeights(reseal(huge)))).toBe('ERR_QUANTA_INVALID_FILE');
  });

  it('refuses consistent-looking files that break the kernels’ invariants', () => {
    const n = 20;
    const k = 33; // K padded to 36, N to 32: both paddings exist
    const file = packWeights({ type: 'int8', data: bytes(n * k, 2, true), dims: [n, k] }).serialize();
    const view = new DataView(file.buffer);
    const cols = 32;
    const colsumAt = 40;
    const nzbAt = colsumAt + 4 * cols;
    const scaleAt = nzbAt + 4 * cols;
    const dataAt = colsumAt + 16 * cols;
    const cases: Array<[string, (f: Uint8Array, v: DataView) => void]> = [
      ['a column sum', (_f, v) => v.setInt32(colsumAt + 4 * 3, v.getInt32(colsumAt + 4 * 3, true) + 1, true)],
      ['a weight byte (column sums no longer match)', (f) => { f[dataAt + 5] = f[dataAt + 5]! ^ 1; }],
      ['a zero point out of range', (_f, v) => v.setInt32(nzbAt + 4 * 2, -200, true)],
      ['a NaN scale', (_f, v) => v.setFloat32(scaleAt + 4, Number.NaN, true)],
      ['K padding', (f) => { f[dataAt + 8 * 64 + 1 * 4 + 3] = 1; }], // k4 step 8 holds K 32..35: K 35 is padding
      ['N padding', (f) => { f[dataAt + 64 * 9 + 4 * 20] = 0; f[dataAt + 64 * 9 + 4 * 21] = 1; }],
    ];
    for (const [what, corrupt] of cases) {
      const bad = file.slice();
      corrupt(bad, new DataView(bad.buffer));
      expect(codeOf(() => loadPackedWeights(reseal(bad))), what).toBe('ERR_QUANTA_INVALID_FILE');
    }
    expect(view.getUint32(8, true)).toBe(1); // the version the cases above were written for
  });
});
