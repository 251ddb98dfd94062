// The native range kernels (rangeOf, rangePerChannelInto, histogramInto) against their TypeScript
// specification, on every path this machine runs and with 1 and 2 threads: results identical.
import { afterAll, describe, expect, it } from 'vitest';

import { capabilities, isa, setIsa, setNumThreads } from '../../lib/index.js';
import type { IsaName } from '../../lib/index.js';
import {
  histogramInto, histogramIntoReference, rangeOf, rangeOfReference, rangePerChannelInto,
  rangePerChannelIntoReference,
} from '../../lib/calibrate/range-kernels.js';
import type { HistogramMode } from '../../lib/calibrate/range-kernels.js';

const caps = capabilities();
const usable = (Object.keys(caps.unavailable) as IsaName[]).filter((name) => caps.unavailable[name] === null);
const initialIsa = isa();

afterAll(() => {
  setIsa(initialIsa);
  setNumThreads(0);
});

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-40, 3.4028234663852886e38, -3.4028234663852886e38,
  1.1754943508222875e-38, 3e38, -3e38];

function randomData(n: number, seed: number, spread: number, specialEvery: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = (r() * 2 - 1) * spread;
    if (specialEvery > 0 && Math.floor(r() * specialEvery) === 0) x[i] = SPECIALS[Math.floor(r() * SPECIALS.length)]!;
  }
  return x;
}

/** Values on, just below and just above the float32 bin edges of [lo, hi) in `bins` bins. */
function edgeData(n: number, seed: number, lo: number, hi: number, bins: number): Float32Array {
  const r = rng(seed);
  const f = Math.fround;
  const lo32 = f(lo);
  const inv32 = f(bins / (hi - lo));
  const x = new Float32Array(n);
  const buf = new Float32Array(1);
  const bitsView = new Int32Array(buf.buffer);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(r() * (bins + 3)) - 1;
    buf[0] = f(lo32 + f(k / inv32));
    const u = r();
    if (u < 0.25 && buf[0] !== 0) bitsView[0]! += 1;
    else if (u < 0.5 && buf[0] !== 0) bitsView[0]! -= 1;
    else if (u < 0.6) buf[0] = -buf[0]!;
    x[i] = buf[0]!;
  }
  return x;
}

/** Positive data whose min is zero, with zeros of both signs (the sign kept is the first zero's). */
function zeroData(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = r() < 0.001 ? (r() < 0.5 ? -0 : 0) : r() * 10 + 1;
  return x;
}

const LENGTHS = [0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 129, 1000, 4099, 70_001];
const BIG = (1 << 20) + 77; // large enough for the runtime to split it across threads

function sameRange(a: ReturnType<typeof rangeOf>, b: ReturnType<typeof rangeOf>) {
  expect(Object.is(a.min, b.min), `min ${a.min} vs ${b.min}`).toBe(true);
  expect(Object.is(a.max, b.max), `max ${a.max} vs ${b.max}`).toBe(true);
  expect(a.finite).toBe(b.finite);
  expect(a.nonFinite).toBe(b.nonFinite);
}

function sameArray(a: Float64Array, b: Float64Array) {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) expect(`[${i}] ${a[i]}`).toBe(`[${i}] ${b[i]}`);
  }
}

const datasets: [string, Float32Array][] = [];
for (const n of LENGTHS) {
  datasets.push([`random n=${n}`, randomData(n, n + 1, 100, 0)]);
  datasets.push([`specials n=${n}`, randomData(n, n + 2, 100, 5)]);
  datasets.push([`zeros n=${n}`, zeroData(n, n + 3)]);
}
datasets.push([`big random`, randomData(BIG, 11, 1000, 5000)]);
datasets.push([`big zeros`, zeroData(BIG, 12)]);
datasets.push([`all NaN`, new Float32Array(5000).fill(NaN)]);
datasets.push([`negative zeros then zeros`, Float32Array.from({ length: 3000 }, (_, i) => (i < 1500 ? -0 : 0))]);

describe.each(usable)('range kernels on %s', (path) => {
  describe.each([1, 2])('%i thread(s)', (threads) => {
    const pin = () => {
      setIsa(path);
      setNumThreads(threads);
    };

    it('rangeOf equals the reference', () => {
      pin();
      for (const [name, x] of datasets) {
        try {
          sameRange(rangeOf(x), rangeOfReference(x));
        } catch (e) {
          throw new Error(`${name}: ${(e as Error).message}`);
        }
      }
    });

    it('rangePerChannelInto equals the reference and accumulates', () => {
      pin();
      const x = randomData(4 * 13 * 20167, 21, 50, 700); // 1048684 values: big enough to be split
      for (const [outer, axis, inner] of [[4 * 20167, 13, 1], [4, 13, 20167], [1, 1, x.length], [4 * 13, 20167, 1], [20167, 52, 1]] as const) {
        const init = (fill: number) => {
          const a = new Float64Array(axis).fill(fill);
          a[0] = fill > 0 ? 0.1 : -0.1; // a double state that is no float32
          if (axis > 1) a[1] = 0;
          return a;
        };
        const [mins, maxs, rmins, rmaxs] = [init(Infinity), init(-Infinity), init(Infinity), init(-Infinity)];
        for (let batch = 0; batch < 2; batch++) {
          const got = rangePerChannelInto(x, outer, axis, inner, mins, maxs);
          const want = rangePerChannelIntoReference(x, outer, axis, inner, rmins, rmaxs);
          expect(got).toBe(want);
        }
        sameArray(mins, rmins);
        sameArray(maxs, rmaxs);
      }
      const z = zeroData(4 * 64 * 33, 5);
      for (const [outer, axis, inner] of [[4 * 64, 33, 1], [4, 64, 33], [1, 4 * 64, 33]] as const) {
        const [mins, maxs] = [new Float64Array(axis).fill(Infinity), new Float64Array(axis).fill(-Infinity)];
        const [rmins, rmaxs] = [new Float64Array(axis).fill(Infinity), new Float64Array(axis).fill(-Infinity)];
        expect(rangePerChannelInto(z, outer, axis, inner, mins, maxs)).toBe(rangePerChannelIntoReference(z, outer, axis, inner, rmins, rmaxs));
        sameArray(mins, rmins);
        sameArray(maxs, rmaxs);
      }
    });

    it('histogramInto equals the reference (random, edges, abs, bin counts)', () => {
      pin();
      const ranges: [number, number][] = [[-100, 100], [0, 100], [-3, 0.5], [1, 1.0000001], [-1e-30, 1e-30], [-3e38, 3e38], [0.1, 0.3]];
      for (const bins of [1, 2, 3, 7, 16, 255, 256, 2048, 4096]) {
        for (const [lo, hi] of ranges) {
          const f = Math.fround;
          const inv32 = f(bins / (hi - lo));
          if (!(inv32 > 0) || !Number.isFinite(inv32)) continue;
          for (const n of [0, 1, 17, 64, 4099, bins === 2048 ? 70_001 : 1000]) {
            for (const mode of ['signed', 'abs'] as HistogramMode[]) {
              for (const [name, x] of [['random', randomData(n, n + bins, Math.abs(hi) * 1.5 || 1, 6)], ['edges', edgeData(n, n * 3 + bins, lo, hi, bins)]] as const) {
                const got = new Float64Array(bins).fill(2);
                const want = new Float64Array(bins).fill(2);
                const a = histogramInto(x, lo, hi, got, mode);
                const b = histogramIntoReference(x, lo, hi, want, mode);
                expect(a, `${name} bins=${bins} [${lo}, ${hi}] n=${n} ${mode}`).toBe(b);
                sameArray(got, want);
              }
            }
          }
        }
      }
    });

    it('histogramInto on a large input equals the reference', () => {
      pin();
      const x = datasets.find(([name]) => name === 'big random')![1];
      for (const mode of ['signed', 'abs'] as HistogramMode[]) {
        const got = new Float64Array(2048);
        const want = new Float64Array(2048);
        expect(histogramInto(x, -1000, 1000, got, mode)).toBe(histogramIntoReference(x, -1000, 1000, want, mode));
        sameArray(got, want);
      }
    });
  });
});

describe('histogramInto arguments', () => {
  it('rejects a range without a finite float32 bin width, as the reference does', () => {
    expect(() => histogramInto(new Float32Array(4), 1, 1, new Float64Array(8), 'signed')).toThrow(RangeError);
    expect(() => histogramIntoReference(new Float32Array(4), 1, 1, new Float64Array(8), 'signed')).toThrow(RangeError);
  });
  it('reports the range kernels in use', () => {
    expect(usable).toContain(capabilities().kernels.range);
  });
});

describe('rangePerChannelInto arguments', () => {
  it('rejects a view that does not match x or too few channel slots', () => {
    const x = new Float32Array(12);
    expect(() => rangePerChannelInto(x, 2, 3, 3, new Float64Array(3), new Float64Array(3))).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_SHAPE' }));
    expect(() => rangePerChannelInto(x, 2, 3, 2, new Float64Array(2), new Float64Array(3))).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_SHAPE' }));
  });
});
