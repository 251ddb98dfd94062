// The Promise forms (gemm, dynamicQuantizeMatmul, sgemm): same results as their ...Sync twins, errors as rejections with the same codes,
// and the JS thread stays responsive while a GEMM of about one second runs.
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { describe, expect, it } from 'vitest';

import {
  capabilities, dynamicQuantizeMatmul, dynamicQuantizeMatmulSync, gemm, gemmSync, packWeights, packWeightsF32, sgemm, sgemmSync,
} from '../lib/index.js';
import { lcgBytes, rejectionCodeOf } from './support.js';

const bytes = (n: number, seed: number) => lcgBytes(n, seed, true) as Int8Array;
const codeOf = rejectionCodeOf;

describe('async GEMM', () => {
  it('gives the Sync results, also with several calls in flight', async () => {
    const [m, k, n] = [70, 300, 90];
    const packed = packWeights({ type: 'int8', data: bytes(n * k, 1), dims: [n, k] }, { scale: 0.01, zeroPoint: 3 });
    const a = { type: 'int8', data: bytes(m * k, 2), dims: [m, k] };
    const want = gemmSync(a, packed, { aZeroPoint: -2 }).data;
    const got = await Promise.all([1, 2, 3, 4].map(() => gemm(a, packed, { aZeroPoint: -2 })));
    for (const y of got) expect(y.data).toEqual(want);
    const x = Float32Array.from(bytes(m * k, 3), (v) => v / 16);
    const wantF = dynamicQuantizeMatmulSync(x, packed).data;
    const out = new Float32Array(m * n);
    const y = await dynamicQuantizeMatmul(x, packed, { out });
    expect(y.data).toBe(out);
    expect(out).toEqual(wantF);
  });

  it('returns Promises from the plain names, results from the ...Sync twins (as fs does)', async () => {
    const packed = packWeights({ type: 'int8', data: bytes(16, 1), dims: [4, 4] }, { scale: 0.5 });
    const a = { type: 'int8', data: bytes(8, 2), dims: [2, 4] };
    const p = gemm(a, packed);
    expect(p).toBeInstanceOf(Promise);
    expect((await p).data).toEqual(gemmSync(a, packed).data);
    const x = new Float32Array(8).fill(0.25);
    const q = dynamicQuantizeMatmul(x, packed);
    expect(q).toBeInstanceOf(Promise);
    expect((await q).data).toEqual(dynamicQuantizeMatmulSync(x, packed).data);
  });

  it('sgemm (Promise) gives sgemmSync\'s bits', async () => {
    const [m, k, n] = [33, 70, 50];
    const w = Float32Array.from(bytes(n * k, 21), (v) => v / 100);
    const a = Float32Array.from(bytes(m * k, 22), (v) => v / 50);
    const packed = packWeightsF32({ type: 'float32', data: w, dims: [n, k] });
    const want = sgemmSync({ type: 'float32', data: a, dims: [m, k] }, packed, { relu: true }).data;
    expect((await sgemm({ type: 'float32', data: a, dims: [m, k] }, packed, { relu: true })).data).toEqual(want);
  });

  it('rejects with the codes the Sync form throws', async () => {
    const packed = packWeights({ type: 'int8', data: new Int8Array(12), dims: [3, 4] });
    expect(await codeOf(gemm({ type: 'int8', data: new Int8Array(5), dims: [1, 5] }, packed))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(await codeOf(gemm({ type: 'int8', data: new Int8Array(4), dims: [1, 4] }, {} as never))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    // Found by the native work itself, on the worker thread.
    expect(await codeOf(dynamicQuantizeMatmul(Float32Array.of(1, Number.NaN, 0, 0), packed))).toBe('ERR_QUANTA_NON_FINITE');
  });

  it('keeps the event loop responsive while a GEMM of about one second runs', async () => {
    const [k, n] = [2048, 2048];
    const packed = packWeights({ type: 'int8', data: bytes(n * k, 5), dims: [n, k] }, { scale: 0.01 });
    // The AVX2 path where there is one (a quarter of VNNI's speed: a second of work needs only
    // 64 MiB of inputs); M sized so the call takes about a second, from a smaller Sync call.
    const isa = capabilities().unavailable.avx2 === null ? 'avx2' as const : undefined;
    const probeM = 256;
    const probe = { type: 'uint8', data: new Uint8Array(probeM * k).fill(7), dims: [probeM, k] };
    let best = Infinity;
    for (let i = 0; i < 4; i++) {
      const t0 = performance.now();
      gemmSync(probe, packed, { output: 'uint8', aScale: 0.02, outScale: 1, isa });
      best = Math.min(best, performance.now() - t0);
    }
    const perRow = best / probeM;
    const m = Math.max(probeM, Math.min(1 << 15, Math.round(1000 / perRow)));
    const a = { type: 'uint8', data: new Uint8Array(m * k).fill(9), dims: [m, k] };
    const out = new Uint8Array(m * n);

    // The monitor must see a blocking call: a Sync call of ~200 ms shows up as a long delay.
    const blocking = monitorEventLoopDelay({ resolution: 10 });
    blocking.enable();
    await new Promise((r) => setTimeout(r, 30));
    const rows = Math.min(m, Math.max(1, Math.round(200 / perRow)));
    gemmSync({ type: 'uint8', data: a.data.subarray(0, rows * k), dims: [rows, k] }, packed, { output: 'uint8', aScale: 0.02, outScale: 1, out: out.subarray(0, rows * n), isa });
    await new Promise((r) => setTimeout(r, 30)); // the monitor's late sample lands meanwhile
    blocking.disable();
    expect(blocking.max / 1e6).toBeGreaterThan(100);

    const monitor = monitorEventLoopDelay({ resolution: 10 });
    monitor.enable();
    let ticks = 0;
    const interval = setInterval(() => ticks++, 10);
    const start = performance.now();
    await gemm(a, packed, { output: 'uint8', aScale: 0.02, outScale: 1, out, isa });
    const elapsed = performance.now() - start;
    clearInterval(interval);
    monitor.disable();
    expect(elapsed).toBeGreaterThan(500);
    if (process.env.QUANTA_TEST_VERBOSE) console.log(`async GEMM ${elapsed.toFixed(0)} ms: ${ticks} ticks, loop delay max ${(monitor.max / 1e6).toFixed(1)} ms, p99 ${(monitor.percentile(99) / 1e6).toFixed(1)} ms`);
    // Timers kept firing: most 10 ms ticks happened, and no callback waited long.
    expect(ticks).toBeGreaterThan((elapsed / 10) * 0.5);
    expect(monitor.max / 1e6).toBeLessThan(100);
    expect(monitor.percentile(99) / 1e6).toBeLessThan(40);
    // And the answer is right: every output equals the first row's (constant inputs).
    const first = gemmSync({ type: 'uint8', data: a.data.subarray(0, k), dims: [1, k] }, packed, { output: 'uint8', aScale: 0.02, outScale: 1, isa }).data;
    for (const r of [0, m >> 1, m - 1]) expect(out.subarray(r * n, (r + 1) * n)).toEqual(first);
  }, 30_000);
});
