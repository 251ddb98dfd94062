// The read-bandwidth probe: the checksum proves every byte was read (it equals the sum of the
// little-endian 64-bit words computed here, on every path, at every alignment and tail), the
// timing is a positive duration, and bad arguments get coded errors.
import { afterAll, describe, expect, it } from 'vitest';

import { isa, measureReadBandwidth, setIsa, timeRead } from '../lib/index.js';
import { codeOf, lcgBytes, paths } from './support.js';

/** Sum mod 2^64 of the little-endian 64-bit words of `bytes`, the last zero-padded. */
function wordsSum(bytes: Uint8Array): bigint {
  let sum = 0n;
  for (let i = 0; i < bytes.length; i++) sum += BigInt(bytes[i]!) << BigInt(8 * (i % 8));
  return BigInt.asUintN(64, sum);
}

describe('timeRead', () => {
  const initial = isa();
  afterAll(() => setIsa(initial));
  const data = lcgBytes(5000, 7, false) as Uint8Array;

  it('reads every byte on every path: the checksum is the sum of the 64-bit words', () => {
    for (const name of paths) {
      setIsa(name);
      for (const [offset, length] of [[0, 1], [0, 7], [0, 8], [3, 63], [1, 255], [5, 257], [0, 4096], [13, 4987]] as const) {
        const view = data.subarray(offset, offset + length);
        expect(timeRead(view).checksum, `${name} offset ${offset} length ${length}`).toBe(wordsSum(view));
      }
    }
  });

  it('reads any TypedArray in place, as bytes', () => {
    const words = new Float64Array([1.5, -2, 3e300]);
    expect(timeRead(words).checksum).toBe(wordsSum(new Uint8Array(words.buffer)));
  });

  it('times the passes it was asked for', () => {
    const buffer = new Uint8Array(1 << 20).fill(1);
    const singles = Array.from({ length: 5 }, () => timeRead(buffer, 1));
    const fastestSingle = Math.min(...singles.map((t) => t.seconds));
    const many = timeRead(buffer, 50);
    expect(fastestSingle).toBeGreaterThan(0);
    expect(Number.isFinite(many.gbps) && many.gbps > 0).toBe(true);
    // 50 passes take far longer than the fastest single pass (a kernel that skipped passes would
    // not; 10x leaves room for a slow machine).
    expect(many.seconds).toBeGreaterThan(10 * fastestSingle);
    expect(many.checksum).toBe(singles[0]!.checksum);
  });

  it('refuses what is not a non-empty TypedArray, and bad pass counts', () => {
    expect(codeOf(() => timeRead(new ArrayBuffer(8) as unknown as Uint8Array))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => timeRead(new DataView(new ArrayBuffer(8))))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => timeRead([1, 2, 3] as unknown as Uint8Array))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => timeRead(new Uint8Array(0)))).toBe('ERR_QUANTA_EMPTY_TENSOR');
    const detached = new Uint8Array(16);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    expect(codeOf(() => timeRead(detached))).toBe('ERR_QUANTA_EMPTY_TENSOR');
    for (const passes of [0, -1, 1.5, NaN, Infinity, 1_000_001, '2' as unknown as number]) {
      expect(codeOf(() => timeRead(new Uint8Array(8), passes)), String(passes)).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    }
  });
});

describe('measureReadBandwidth', () => {
  it('reports best >= median > 0 for a cache-sized and a larger buffer', () => {
    for (const bytes of [64 * 1024, 8 * 2 ** 20]) {
      const r = measureReadBandwidth(bytes, { runs: 5 });
      expect(r).toMatchObject({ bytes, runs: 5 });
      expect(r.passes).toBe(Math.max(1, Math.ceil((4 * 2 ** 20) / bytes)));
      expect(r.medianGBps).toBeGreaterThan(0);
      expect(r.bestGBps).toBeGreaterThanOrEqual(r.medianGBps);
    }
  });

  it('refuses bad sizes and run counts', () => {
    for (const bytes of [0, 63, 1.5, -1, NaN, 2 ** 32, '1024' as unknown as number]) {
      expect(codeOf(() => measureReadBandwidth(bytes)), String(bytes)).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    }
    for (const runs of [0, 1.5, 10_001, NaN]) {
      expect(codeOf(() => measureReadBandwidth(4096, { runs })), String(runs)).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    }
  });
});
