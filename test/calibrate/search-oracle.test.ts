// The fast calibration searches against their former bin-by-bin versions (kept as test-only
// oracles in *.oracle.ts): on random histograms the chosen candidate is the same, or the two
// candidates' objectives (as the oracle computes them) agree within 1e-12 relative.
import { describe, expect, it } from 'vitest';
import { mseSearch } from '../../lib/calibrate/mse-search';
import { onnxruntimeEntropyWindow, tensorrtEntropyBin } from '../../lib/calibrate/entropy-search';
import * as oracleMse from './mse-search.oracle';
import * as oracleEntropy from './entropy-search.oracle';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), (s + 0.5) / 2 ** 32);
}

/** Random histograms: Gaussian-like, heavy-tailed, sparse, with integer or fractional counts. */
function histograms(n: number, count: number, seed: number, signed: boolean): Float64Array[] {
  const u = rng(seed);
  const out: Float64Array[] = [];
  for (let t = 0; t < count; t++) {
    const h = new Float64Array(n);
    const kind = t % 4;
    const sigma = n * (0.02 + 0.3 * u());
    const centre = signed ? n / 2 + (u() - 0.5) * n * 0.1 : 0;
    const total = 10 ** (2 + 4 * u());
    for (let j = 0; j < n; j++) {
      const z = (j + 0.5 - centre) / sigma;
      let v = kind === 1 ? total / (1 + z * z) / sigma : (total * Math.exp(-0.5 * z * z)) / sigma;
      if (kind === 2 && u() < 0.6) v = 0;
      v *= 0.5 + u();
      h[j] = kind === 3 ? v : Math.floor(v);
    }
    out.push(h);
  }
  return out;
}

const close = (a: number, b: number): boolean => a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));

describe('mseSearch vs the bin-by-bin oracle', () => {
  const schemes = [
    { dtype: 'int8', symmetric: true },
    { dtype: 'uint8', symmetric: false },
    { dtype: 'int4', symmetric: true },
    { dtype: 'int8', symmetric: false, profile: 'pytorch' },
  ] as const;
  it.each(schemes.map((s, k) => [JSON.stringify(s), s, k] as const))('%s', (_name, scheme, k) => {
    for (const [t, h] of histograms(512, 24, 100 + k, true).entries()) {
      const A = 1 + t * 0.37;
      const min = -A * (0.3 + 0.7 * ((t * 7) % 10) / 10);
      const max = A * (0.3 + 0.7 * ((t * 3) % 10) / 10);
      const fast = mseSearch(h, A, min, max, 16, scheme);
      const slow = oracleMse.mseSearch(h, A, min, max, 16, scheme);
      if (fast[0] === slow[0] && fast[1] === slow[1]) continue;
      const width = (2 * A) / h.length;
      const ef = oracleMse.histogramQuantError(h, -A, width, fast[0], fast[1], scheme);
      const es = oracleMse.histogramQuantError(h, -A, width, slow[0], slow[1], scheme);
      expect(close(ef, es), `histogram ${t}: ${fast} (${ef}) vs ${slow} (${es})`).toBe(true);
    }
  });
});

/** KL(P || Q) of the TensorRT search at candidate i, as the oracle computes it. */
function trtKl(hist: Float64Array, levels: number, i: number): number {
  // the oracle with startBin = i and a stride past the end evaluates candidate i alone; rebuild P, Q here
  const bins = Float64Array.from(hist);
  if (bins.length > 1) bins[0] = bins[1]!;
  const step = i / levels;
  const gs = new Float64Array(levels);
  const gc = new Float64Array(levels);
  const group = new Int32Array(i);
  let k = 0;
  for (let j = 0; j < i; j++) {
    while (k + 1 < levels && (k + 1) * step <= j) k++;
    group[j] = k;
    if (bins[j] !== 0) (gs[k]! += bins[j]!), (gc[k]! += 1);
  }
  const p = bins.slice(0, i);
  for (let j = i; j < bins.length; j++) p[i - 1]! += bins[j]!;
  const q = new Float64Array(i);
  for (let j = 0; j < i; j++) q[j] = bins[j] !== 0 ? gs[group[j]!]! / gc[group[j]!]! : 0;
  return oracleEntropy.klDivergence(p, q);
}

describe('entropy searches vs the direct oracles', () => {
  it('TensorRT', () => {
    let same = 0;
    for (const [t, h] of histograms(512, 40, 7, false).entries()) {
      const fast = tensorrtEntropyBin(h, 64, 64, 1 + (t % 3));
      const slow = oracleEntropy.tensorrtEntropyBin(h, 64, 64, 1 + (t % 3));
      if (fast === slow) {
        same++;
        continue;
      }
      const a = trtKl(h, 64, fast);
      const b = trtKl(h, 64, slow);
      expect(close(a, b), `histogram ${t}: ${fast} (${a}) vs ${slow} (${b})`).toBe(true);
    }
    expect(same).toBeGreaterThan(30);
  });
  it('onnxruntime', () => {
    let same = 0;
    for (const [t, h] of histograms(512, 40, 11, true).entries()) {
      const fast = onnxruntimeEntropyWindow(h, 64);
      const slow = oracleEntropy.onnxruntimeEntropyWindow(h, 64);
      if (fast[0] === slow[0] && fast[1] === slow[1]) same++;
      expect(fast, `histogram ${t}`).toEqual(slow);
    }
    expect(same).toBe(40);
  });
  it('onnxruntime, integer counts at the benchmark size (2048 bins, 128 levels) and odd sizes', () => {
    for (const [n, levels, seed] of [[2048, 128, 21], [1025, 128, 22], [300, 7, 23], [129, 128, 24]] as const) {
      for (const [t, h] of histograms(n, 8, seed, true).entries()) {
        if (t % 4 === 3) continue; // integer counts only: the fast path
        expect(onnxruntimeEntropyWindow(h, levels), `${n} bins, histogram ${t}`).toEqual(oracleEntropy.onnxruntimeEntropyWindow(h, levels));
      }
    }
  });
});

describe('mseSearch vs the bin-by-bin oracle at 2048 bins', () => {
  it.each([
    [{ dtype: 'int8', symmetric: true }],
    [{ dtype: 'uint8', symmetric: false }],
  ] as const)('%j', (scheme) => {
    for (const [t, h] of histograms(2048, 8, 31, true).entries()) {
      if (t % 4 === 3) continue; // integer counts only: the fast path
      const A = 2 + t * 0.5;
      const min = -A * 0.9;
      const max = A * 0.8;
      const fast = mseSearch(h, A, min, max, 64, scheme);
      const slow = oracleMse.mseSearch(h, A, min, max, 64, scheme);
      if (fast[0] === slow[0] && fast[1] === slow[1]) continue;
      const width = (2 * A) / h.length;
      const ef = oracleMse.histogramQuantError(h, -A, width, fast[0], fast[1], scheme);
      const es = oracleMse.histogramQuantError(h, -A, width, slow[0], slow[1], scheme);
      expect(close(ef, es), `histogram ${t}: ${fast} (${ef}) vs ${slow} (${es})`).toBe(true);
    }
  });
});
