/** Observer behaviour: merge == single pass, JSON round trips, non-finite values, shapes, bounded state, progress. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  EntropyObserver, MinMaxObserver, MovingAverageMinMaxObserver, MseObserver, PercentileObserver, PerChannelMinMaxObserver,
  QuantaError, calibrate, observerFromJSON,
} from '../../lib/index.js';
import type { Observer } from '../../lib/index.js';
import { gen } from './gen';

const floats = fc.float({ noDefaultInfinity: false, noNaN: false });
const batchesArb = fc.array(fc.array(floats, { maxLength: 40 }).map((a) => Float32Array.from(a)), { minLength: 1, maxLength: 6 });

function stateOf(o: Observer): unknown {
  const j = o.toJSON() as Record<string, unknown>;
  // batch counts legitimately differ with how batches were split.
  return { ...j, batches: undefined, histogram: j.histogram ? { ...(j.histogram as object), batches: undefined, anchor: undefined } : undefined };
}

describe('merge(sharded) == single pass', () => {
  const makers: [string, () => Observer][] = [
    ['MinMaxObserver', () => new MinMaxObserver()],
    ['PerChannelMinMaxObserver', () => new PerChannelMinMaxObserver({ axis: 0 })],
    ['PercentileObserver', () => new PercentileObserver({ resolution: 256 })],
    ['EntropyObserver tensorrt', () => new EntropyObserver({ resolution: 256 })],
    ['MseObserver', () => new MseObserver({ resolution: 256 })],
  ];
  for (const [name, make] of makers) {
    it(`${name}: exact state`, () => {
      fc.assert(fc.property(batchesArb, fc.nat(), (batches, cut) => {
        const perChannel = name.startsWith('PerChannel');
        const shaped = perChannel ? batches.map((b) => ({ type: 'float32', data: b.length % 2 ? b.subarray(1) : b, dims: [2, (b.length - (b.length % 2)) / 2] })) : batches;
        const k = cut % (shaped.length + 1);
        const single = make();
        for (const b of shaped) single.observe(b as Float32Array);
        const a = make();
        const c = make();
        shaped.slice(0, k).forEach((b) => a.observe(b as Float32Array));
        shaped.slice(k).forEach((b) => c.observe(b as Float32Array));
        // Shards in either order, and through JSON.
        const merged = observerFromJSON(JSON.parse(JSON.stringify(c))).merge(a as never);
        expect(stateOf(merged)).toEqual(stateOf(single));
        expect(merged.count).toBe(single.count);
        expect(merged.nonFinite).toBe(single.nonFinite);
      }), { numRuns: 150 });
    });
  }

  // fast-check found this once in 150 random runs: JSON writes -0 as 0, so a shard that went
  // through JSON reported max 0 where the single pass kept -0. Ranges now report zeros as +0.
  it('zeros of either sign: merged state equals a single pass, and min / max are +0', () => {
    for (const [name, make] of makers.filter(([n]) => !n.startsWith('PerChannel'))) {
      for (const shards of [[Float32Array.of(-0)], [Float32Array.of(0, -0), Float32Array.of(-0)], [Float32Array.of(-0, 0)]]) {
        const single = make();
        for (const b of shards) single.observe(b);
        const merged = make();
        const rest = make();
        rest.observe(shards[0]!);
        for (const b of shards.slice(1)) merged.observe(b);
        const viaJson = observerFromJSON(JSON.parse(JSON.stringify(rest))).merge(merged as never);
        expect(stateOf(viaJson), name).toEqual(stateOf(single));
        const range = single.computeRange({ dtype: 'int8' });
        expect(Object.is(range.min[0], -0) || Object.is(range.max[0], -0), name).toBe(false);
      }
    }
  });
});

describe('non-finite, empty and degenerate input', () => {
  it('skips and counts NaN / Inf, or throws in strict mode', () => {
    const x = Float32Array.of(1, NaN, -2, Infinity, -Infinity, 3);
    for (const o of [new MinMaxObserver(), new PercentileObserver(), new EntropyObserver(), new MseObserver()]) {
      o.observe(x);
      expect(o.nonFinite).toBe(3);
      expect(o.count).toBe(3);
      expect(observerFromJSON(JSON.parse(JSON.stringify(o))).nonFinite).toBe(3);
    }
    const r = new MinMaxObserver();
    r.observe(x);
    expect(Array.from(r.computeRange({ dtype: 'int8' }).max)).toEqual([3]);
    const strict = new MinMaxObserver({ strict: true });
    expect(() => strict.observe(x)).toThrow(expect.objectContaining({ code: 'ERR_QUANTA_NON_FINITE' }));
    expect(() => new PercentileObserver({ strict: true }).observe(x)).toThrow(QuantaError);
  });

  it('all-equal and all-zero data give a valid scale', () => {
    for (const data of [new Float32Array(16), new Float32Array(16).fill(0.75), new Float32Array(16).fill(-3)]) {
      for (const o of [new MinMaxObserver(), new MovingAverageMinMaxObserver(), new PercentileObserver(), new EntropyObserver(), new EntropyObserver({ variant: 'onnxruntime' }), new MseObserver(), new MseObserver({ method: 'pytorch' })]) {
        o.observe(data);
        for (const profile of ['onnxruntime', 'pytorch'] as const) {
          const p = o.computeParams({ dtype: 'uint8', profile });
          expect(p.scale[0]! > 0 && Number.isFinite(p.scale[0]!)).toBe(true);
        }
      }
    }
  });

  it('empty batches are no-ops; no data is an error', () => {
    const o = new MinMaxObserver();
    o.observe(new Float32Array(0));
    expect(o.batches).toBe(0);
    expect(() => o.computeParams({ dtype: 'int8' })).toThrow(expect.objectContaining({ code: 'ERR_QUANTA_EMPTY_TENSOR' }));
    o.observe(Float32Array.of(1, 2));
    o.observe(new Float32Array(0));
    expect(o.batches).toBe(1);
  });

  it('a batch with a different channel count is ERR_QUANTA_INVALID_SHAPE', () => {
    const o = new PerChannelMinMaxObserver({ axis: -1 });
    o.observe({ type: 'float32', data: new Float32Array(12), dims: [3, 4] });
    expect(() => o.observe({ type: 'float32', data: new Float32Array(15), dims: [3, 5] })).toThrow(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_SHAPE' }));
    o.observe({ type: 'float32', data: new Float32Array(8), dims: [2, 4] });
    expect(o.computeParams({ dtype: 'int8', symmetric: true }).scale.length).toBe(4);
  });
});

describe('bounded state', () => {
  it('10^8 values in 100 batches: state flat, result right', () => {
    const batch = gen({ seed: 1, n: 1_000_000, scale: 1, shift: 0.5, relu: true });
    const h = new PercentileObserver({ percentile: 99.99 });
    const m = new MinMaxObserver();
    let size1 = 0;
    for (let i = 0; i < 100; i++) {
      h.observe(batch);
      m.observe(batch);
      if (i === 0) size1 = h.stateBytes;
    }
    expect(h.count).toBe(1e8);
    expect(h.stateBytes).toBe(size1);
    expect(h.stateBytes).toBeLessThanOrEqual(2 * 16384 * 8);
    expect(JSON.stringify(h).length).toBeLessThan(1_000_000);
    const single = new PercentileObserver({ percentile: 99.99 });
    single.observe(batch);
    // Same distribution 100 times: the same threshold as one batch.
    expect(h.computeRange({ dtype: 'uint8' }).max[0]).toBe(single.computeRange({ dtype: 'uint8' }).max[0]);
    expect(m.computeRange({ dtype: 'uint8' }).max[0]).toBe(batch.reduce((a, b) => Math.max(a, b)));
  }, 60_000);
});

describe('calibrate()', () => {
  it('reports progress over sync and async iterables, several observers', async () => {
    const seen: [number, number | undefined][] = [];
    const batches = [gen({ seed: 1, n: 100, scale: 1, shift: 0 }), gen({ seed: 2, n: 100, scale: 2, shift: 0 })];
    const obs = await calibrate([new MinMaxObserver(), new PercentileObserver()], batches, { onProgress: (d, t) => seen.push([d, t]) });
    expect(seen).toEqual([[1, 2], [2, 2]]);
    expect(obs[0]!.count).toBe(200);
    async function* more() { yield batches[0]!; yield batches[1]!; }
    const seen2: number[] = [];
    const one = await calibrate(new MinMaxObserver(), more(), { onProgress: (d) => seen2.push(d) });
    expect(seen2).toEqual([1, 2]);
    expect(one.batches).toBe(2);
  });
});
