// Suite: the int8 matrix engine beside the machine's limits and onnxruntime-node, in one run.
//
//   node bench/suites/gemm.mjs [--quick] [--only=int4,binary]
//
// Writes bench/results/<date>-gemm.json and .md. Limits measured in the same run: the
// instruction peaks (bench/native/peaks.cc: VPDPBUSD zmm / ymm, VFMADD zmm) and the read
// bandwidth of the memory level the GEMV weights live in (quanta.timeRead of a buffer of the same
// size, in turns with each GEMV case's runs). The peer runs the same weights: one-node ONNX
// models built in memory (bench/lib/onnx-model.mjs), weights as initializers so onnxruntime
// prepacks them, as it does for a real model.
//
// Cases (int8 weights, uint8 activations, int32 / float32 outputs written into reused buffers
// unless said otherwise; "T" = threads):
//   square    M = N = K = 1024, 2048: gemm (int32 out) vs MatMulInteger; 1T and 2T
//   fp32      the same shapes on quanta's own float32 GEMM, when this build has it (sgemm)
//   bert      M = 128, K x N = 768 x 3072 and 3072 x 768: dynamicQuantizeMatmul (float32 in and
//             out, activations quantized per tensor and per row) vs DynamicQuantizeMatMul
//   gemv      M = 1, K x N = 4096 x 4096 and 4096 x 11008, float32 activations: one layer called
//             again and again (weights partly L3-resident), and a stack of distinct layers larger
//             than L3 (weights stream from memory); GB/s of weight bytes beside the read
//   int4      int4 weight-only (groups of 32 and 128) with int8 and float32 activations beside
//             onnxruntime's MatMulNBits (accuracy_level 4 and 0) on the same bytes: GEMV (one
//             layer, and a stack beyond L3) and M = 8, 32, 128 (beside the int8 engine too)
//   binary    M = N = K = 4096 XNOR-popcount GEMM (pre-binarized activations, int32 out) in
//             bit-MACs/s beside the VPOPCNTQ peak; binarizing per call; binary weights x float32
//   overhead  M = 1, K = N = 16: the cost of one synchronous call from JS
//   fresh     1024^3 with a new output per call (first-touch page faults) vs a reused one
//   async     1024^3 through gemm (the Promise form) vs gemmSync
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

import ort from 'onnxruntime-node';

import { quanta } from '../lib/quanta.mjs';
import { DT, initializer, matMulNBitsModel, oneNodeModel } from '../lib/onnx-model.mjs';
import { buildNative, isaFlags } from '../lib/stream.mjs';
import { medianOfSorted, timeCases } from '../lib/timing.mjs';

const quick = process.argv.includes('--quick');
// --only=int4,binary: just those case groups (square, bert, gemv, int4, binary, overhead), into
// results/<date>-gemm-<groups>.md beside the full table.
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = (group) => onlyArg === undefined || onlyArg.split(',').includes(group);
const RUNS = quick ? 5 : 15;
const here = fileURLToPath(new URL('..', import.meta.url));
const caps = quanta.capabilities();

// ---- limits -----------------------------------------------------------------------------------
const peaksBin = buildNative('peaks', isaFlags(caps.features)).binary;
const popcnt = caps.features.avx512vpopcntdq === true;
const peaks = (threads) => JSON.parse(execFileSync(peaksBin, ['--threads', String(threads), ...(popcnt ? ['--popcnt'] : [])]).toString());
const peakRuns = { before: { 1: peaks(1), 2: peaks(2) } };
// The read of a buffer of the same size (a GEMV case's `read`: { bytes, passes }, as many bytes
// as one run of the case reads), in the same process and in turns with the case: before each
// timed run of the case, an untimed and a timed read of `passes` passes (quanta.timeRead: the
// widest loads of the active path), then an untimed run of the case. This VM's bandwidth drifts
// by 10-20% within minutes, so a read taken at another moment (or in another process) compares
// the case with another machine. Each side is warmed by as much reading as it then times: a
// 16 MiB layer and a 16 MiB read buffer do not both fit in L3, and a single warm pass left the
// read to miss where the case, warmed by a whole run, hit. Compared like with like: the case's
// median with the read's median, its best with the read's best.
function pairedRead({ bytes, passes }) {
  const buffer = new Uint8Array(bytes).fill(0x5a);
  const seconds = [];
  return {
    async beforeEach(fn, mode) {
      quanta.timeRead(buffer, passes);
      const t = quanta.timeRead(buffer, passes);
      if (mode === 'run') seconds.push(t.seconds / passes);
      await fn();
    },
    result() {
      const sorted = [...seconds].sort((a, b) => a - b);
      return { best: bytes / sorted[0] / 1e9, median: bytes / medianOfSorted(sorted) / 1e9 };
    },
  };
}

// ---- data -------------------------------------------------------------------------------------
function lcgBytes(n, seed, Ctor) {
  const out = new Ctor(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}
const floats = (n, seed) => Float32Array.from(lcgBytes(n, seed, Int8Array), (v) => v / 64);

async function ortSession(model, threads) {
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
}
/** MatMulInteger(A uint8 [M, K], B int8 [K, N] initializer, a_zero_point) -> int32. */
const matmulIntegerModel = (k, n, wKN) => oneNodeModel({
  node: { opType: 'MatMulInteger', inputs: ['A', 'B', 'a_zp'], outputs: ['Y'] },
  inputs: [['A', DT.uint8, ['M', k]], ['a_zp', DT.uint8, []]],
  outputs: [['Y', DT.int32, ['M', n]]],
  initializers: [initializer('B', DT.int8, [k, n], wKN)],
});
/** com.microsoft DynamicQuantizeMatMul(A float [M, K], B int8 [K, N], b_scale [N]) -> float. */
const dynamicModel = (k, n, wKN, scale) => oneNodeModel({
  node: { opType: 'DynamicQuantizeMatMul', domain: 'com.microsoft', inputs: ['A', 'B', 'b_scale'], outputs: ['Y'] },
  inputs: [['A', DT.float, ['M', k]]],
  outputs: [['Y', DT.float, ['M', n]]],
  initializers: [initializer('B', DT.int8, [k, n], wKN), initializer('b_scale', DT.float, [n], scale)],
});

/** [N, K] -> [K, N] (quanta packs [N, K]; the ONNX B is [K, N]: the same weights). */
function transpose(w, n, k) {
  const t = new Int8Array(n * k);
  for (let j = 0; j < n; j++) for (let kk = 0; kk < k; kk++) t[kk * n + j] = w[j * k + kk];
  return t;
}

function layer(k, n, seed) {
  const w = lcgBytes(n * k, seed, Int8Array);
  const scale = Float32Array.from({ length: n }, (_, j) => 0.002 + (j % 17) * 1e-4);
  return { k, n, w, wKN: transpose(w, n, k), scale, packed: quanta.packWeights({ type: 'int8', data: w, dims: [n, k] }, { scale }) };
}

function firstDiff(a, b, tol = 0) {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= tol * Math.max(1, Math.abs(b[i])))) return `element ${i}: ${a[i]} vs ${b[i]}`;
  }
  return null;
}

// ---- cases ------------------------------------------------------------------------------------
const results = [];
const agreement = {};
// onnxruntime runs after every quanta case: once a session has run in this process, its pool
// threads can keep a core busy (measured: quanta's two-thread cases fell to one-thread speed
// afterwards, even after release), which would tax whichever quanta case came next. Each peer
// case keeps the slot (row position) it was declared at.
const peerJobs = [];
let slots = 0;
const later = (job) => {
  const slot = slots++;
  peerJobs.push(() => job(slot));
};
async function time(meta, fn, perCall = 1, opts) {
  meta.slot ??= slots++;
  meta.before?.();
  const read = meta.read ? pairedRead(meta.read) : undefined;
  // Warm up for 100 ms, not just a couple of calls: on this VM a vCPU that sat idle runs at a
  // fraction of its speed for the first few milliseconds, which showed as two-thread cases of
  // ~0.4 ms running at one-thread speed.
  const warmStart = performance.now();
  while (performance.now() - warmStart < 100) await fn();
  const caseOpts = read ? { ...opts, beforeEach: (mode) => read.beforeEach(fn, mode) } : opts;
  const [r] = await timeCases([{ name: meta.name, fn, perCall, opts: caseOpts }], { runs: meta.runs ?? RUNS, warmup: 2 });
  const { before, read: _read, ...rest } = meta;
  if (read) rest.readGBps = read.result();
  results.push({ ...rest, ...r });
  process.stderr.write(`  ${meta.name} [${meta.threads}T]: median ${r.medianMs.toFixed(3)} ms\n`);
  return r;
}
const pin = (t) => () => quanta.setNumThreads(t);

// square GEMMs
if (only('square')) {
  for (const size of quick ? [1024] : [1024, 2048]) {
    const L = layer(size, size, size);
    const a = lcgBytes(size * size, 7, Uint8Array);
    const A = { type: 'uint8', data: a, dims: [size, size] };
    const y = new Int32Array(size * size);
    const ops = 2 * size * size * size;
    const ortY = new ort.Tensor('int32', new Int32Array(size * size), [size, size]);
    const feeds = { A: new ort.Tensor('uint8', a, [size, size]), a_zp: new ort.Tensor('uint8', Uint8Array.of(128), []) };
    for (const threads of [1, 2]) {
      await time({ group: 'square', impl: 'quanta', shape: [size, size, size], threads, ops, name: `quanta gemm ${size}^3 int32`, before: pin(threads) },
        () => quanta.gemmSync(A, L.packed, { aZeroPoint: 128, out: y }));
      later(async (slot) => {
        const s = await ortSession(matmulIntegerModel(size, size, L.wKN), threads);
        if (threads === 1) {
          quanta.setNumThreads(1);
          quanta.gemmSync(A, L.packed, { aZeroPoint: 128, out: y });
          agreement[`square ${size}: gemm vs MatMulInteger`] = firstDiff(y, (await s.run(feeds)).Y.data) ?? 'identical';
        }
        await time({ slot, group: 'square', impl: 'onnxruntime', peer: true, shape: [size, size, size], threads, ops, name: `ORT MatMulInteger ${size}^3` },
          () => s.run(feeds, { Y: ortY }));
        await s.release();
      });
      if (typeof quanta.sgemmSync === 'function' && typeof quanta.packWeightsF32 === 'function') {
        const wf = Float32Array.from(L.w, (v) => v * 0.01);
        const pf = quanta.packWeightsF32({ type: 'float32', data: wf, dims: [size, size] });
        const af = floats(size * size, 3);
        const yf = new Float32Array(size * size);
        await time({ group: 'fp32', impl: 'quanta', shape: [size, size, size], threads, ops, name: `quanta sgemm ${size}^3 float32`, before: pin(threads) },
          () => quanta.sgemmSync({ type: 'float32', data: af, dims: [size, size] }, pf, { out: yf }));
      }
    }
    if (size === 1024) {
      // fresh outputs and the Promise form (1 thread)
      await time({ group: 'fresh', impl: 'quanta', shape: [size, size, size], threads: 1, ops, name: `quanta gemm ${size}^3, new output each call (event-loop turn between)`, before: pin(1) },
        () => quanta.gemmSync(A, L.packed, { aZeroPoint: 128 }), 1, { beforeEach: () => new Promise((r) => setImmediate(r)) });
      await time({ group: 'async', impl: 'quanta', shape: [size, size, size], threads: 1, ops, name: `quanta gemm (Promise) ${size}^3 (reused output)`, before: pin(1) },
        () => quanta.gemm(A, L.packed, { aZeroPoint: 128, out: y }));
    }
  }
}

// BERT-base linear layers with dynamic quantization
if (only('bert')) {
  for (const [k, n] of [[768, 3072], [3072, 768]]) {
    const M = 128;
    const L = layer(k, n, k + n);
    const x = floats(M * k, 11);
    const X = { type: 'float32', data: x, dims: [M, k] };
    const y = new Float32Array(M * n);
    const ops = 2 * M * n * k;
    const ortY = new ort.Tensor('float32', new Float32Array(M * n), [M, n]);
    const feeds = { A: new ort.Tensor('float32', x, [M, k]) };
    for (const threads of [1, 2]) {
      for (const granularity of ['tensor', 'row']) {
        await time({ group: 'bert', impl: 'quanta', granularity, shape: [M, k, n], threads, ops, name: `quanta dynamicQuantizeMatmul ${M}x${k}x${n} (${granularity})`, before: pin(threads) },
          () => quanta.dynamicQuantizeMatmulSync(X, L.packed, { granularity, out: y }));
      }
      later(async (slot) => {
        const s = await ortSession(dynamicModel(k, n, L.wKN, L.scale), threads);
        if (threads === 1) {
          quanta.setNumThreads(1);
          quanta.dynamicQuantizeMatmulSync(X, L.packed, { granularity: 'tensor', out: y });
          // Both quantize the same way; float rounding of the epilogue may differ in the last bits.
          agreement[`bert ${k}x${n}: dynamicQuantizeMatmul (tensor) vs DynamicQuantizeMatMul, rel. tol 1e-5`] = firstDiff(y, (await s.run(feeds)).Y.data, 1e-5) ?? 'equal within tolerance';
        }
        await time({ slot, group: 'bert', impl: 'onnxruntime', peer: true, shape: [M, k, n], threads, ops, name: `ORT DynamicQuantizeMatMul ${M}x${k}x${n}` },
          () => s.run(feeds, { Y: ortY }));
        await s.release();
      });
    }
  }
}

// GEMV (token generation): one layer, and a stack larger than the 32 MiB L3
if (only('gemv')) {
  for (const [k, n, stackDepth] of [[4096, 4096, 8], [4096, 11008, 4]]) {
    const layers = Array.from({ length: stackDepth }, (_, i) => layer(k, n, 100 + i));
    const x = floats(k, 13);
    const y = new Float32Array(n);
    const bytes = k * n; // int8 weights; the per-column scales, sums and bias add 16 bytes per column
    const sessions = [];
    const openSessions = async () => {
      if (sessions.length === 0) for (const L of layers) sessions.push(await ortSession(dynamicModel(k, n, L.wKN, L.scale), 1));
    };
    const ortY = new ort.Tensor('float32', new Float32Array(n), [1, n]);
    const feeds = { A: new ort.Tensor('float32', x, [1, k]) };
    const mib = bytes / 2 ** 20;
    const single = { group: 'gemv', shape: [1, k, n], threads: 1, bytes, ops: 2 * k * n, residency: 'one layer', read: { bytes, passes: 10 } };
    await time({ ...single, impl: 'quanta', name: `quanta dynamicQuantizeMatmul 1x${k}x${n}, one layer`, before: pin(1), runs: 3 * RUNS },
      () => { for (let i = 0; i < 10; i++) quanta.dynamicQuantizeMatmulSync(x, layers[0].packed, { granularity: 'tensor', out: y }); }, 10);
    later(async (slot) => {
      await openSessions();
      await time({ ...single, slot, impl: 'onnxruntime', peer: true, name: `ORT DynamicQuantizeMatMul 1x${k}x${n}, one layer`, runs: 3 * RUNS },
        async () => { for (let i = 0; i < 10; i++) await sessions[0].run(feeds, { Y: ortY }); }, 10);
    });
    const stack = { group: 'gemv', shape: [1, k, n], threads: 1, bytes, ops: 2 * k * n, residency: `stack of ${stackDepth} (${(stackDepth * mib).toFixed(0)} MiB)`, read: { bytes: stackDepth * bytes, passes: 1 } };
    await time({ ...stack, impl: 'quanta', name: `quanta dynamicQuantizeMatmul 1x${k}x${n}, stack of ${stackDepth}`, before: pin(1) },
      () => { for (const L of layers) quanta.dynamicQuantizeMatmulSync(x, L.packed, { granularity: 'tensor', out: y }); }, stackDepth);
    later(async (slot) => {
      await openSessions();
      await time({ ...stack, slot, impl: 'onnxruntime', peer: true, name: `ORT DynamicQuantizeMatMul 1x${k}x${n}, stack of ${stackDepth}` },
        async () => { for (const s of sessions) await s.run(feeds, { Y: ortY }); }, stackDepth);
      for (const s of sessions.splice(0)) await s.release();
    });
  }
}

// int4 weight-only, one thread: the same MatMulNBits bytes on both sides (zero point 8)
if (only('int4')) {
  function int4Layer(k, n, blockSize, seed) {
    const next = lcgBytes(n * (k / 2) + n * (k / blockSize), seed, Uint8Array);
    const B = next.subarray(0, n * (k / 2));
    const scales = Float32Array.from(next.subarray(n * (k / 2)), (v) => 0.01 + v * 4e-5);
    return { B, scales, packed: quanta.packInt4FromMatMulNBits(B, scales, null, { k, n, blockSize }) };
  }
  for (const blockSize of quick ? [32] : [32, 128]) {
    for (const [M, k, n, stackDepth] of [[1, 4096, 4096, 8], [1, 4096, 11008, 4], [8, 4096, 4096, 1], [32, 4096, 4096, 1], [128, 4096, 4096, 1]]) {
      const layers = Array.from({ length: stackDepth }, (_, i) => int4Layer(k, n, blockSize, 500 + i));
      const x = floats(M * k, 17);
      const X = { type: 'float32', data: x, dims: [M, k] };
      const y = new Float32Array(M * n);
      const ortY = new ort.Tensor('float32', new Float32Array(M * n), [M, n]);
      const feeds = { A: new ort.Tensor('float32', x, [M, k]) };
      const sessionsOf = async (level) => {
        const list = [];
        for (const L of layers) list.push(await ortSession(matMulNBitsModel({ k, n, blockSize, B: L.B, scales: L.scales, zeroPoints: null, accuracyLevel: level }), 1));
        return list;
      };
      const bytes = layers[0].packed.bytes;
      const base = { group: 'int4', shape: [M, k, n], blockSize, threads: 1, ops: 2 * M * n * k, bytes };
      const runs = M >= 32 ? Math.max(5, RUNS >> 1) : RUNS;
      const residencies = M === 1 ? [['one layer', 1], [`stack of ${stackDepth} (${((stackDepth * bytes) / 2 ** 20).toFixed(0)} MiB)`, stackDepth]] : [['one layer', 1]];
      for (const [residency, depth] of residencies) {
        const reps = depth === 1 && M === 1 ? 10 : 1;
        const c = { ...base, residency, read: M === 1 ? { bytes: depth * bytes, passes: reps } : undefined, runs };
        for (const [acts, level] of [['int8', 4], ['float32', 0]]) {
          await time({ ...c, pair: acts, impl: 'quanta', name: `quanta int4LinearSync ${M}x${k}x${n} G${blockSize} ${acts} activations, ${residency}`, before: pin(1) },
            () => { for (let r = 0; r < reps; r++) for (let i = 0; i < depth; i++) quanta.int4LinearSync(X, layers[i].packed, { activations: acts, out: y }); }, reps * depth);
          later(async (slot) => {
            const sessions = await sessionsOf(level);
            await time({ ...c, slot, pair: acts, impl: 'onnxruntime', peer: true, name: `ORT MatMulNBits ${M}x${k}x${n} G${blockSize} accuracy_level ${level}, ${residency}` },
              async () => { for (let r = 0; r < reps; r++) for (let i = 0; i < depth; i++) await sessions[i].run(feeds, { Y: ortY }); }, reps * depth);
            for (const sess of sessions) await sess.release();
          });
        }
      }
      if (M > 1 && blockSize === 32) {
        const L = layer(k, n, 900 + M);
        await time({ group: 'int4', impl: 'quanta-int8-engine', shape: [M, k, n], threads: 1, ops: 2 * M * n * k, runs,
          name: `quanta dynamicQuantizeMatmulSync ${M}x${k}x${n} (the int8 engine, same shape)`, before: pin(1) },
        () => quanta.dynamicQuantizeMatmulSync(X, L.packed, { granularity: 'tensor', out: y }));
      }
    }
  }
}

// binary XNOR-popcount GEMM
if (only('binary')) {
  const size = quick ? 2048 : 4096;
  const w = floats(size * size, 31);
  const packed = quanta.packBinaryWeights({ type: 'float32', data: w, dims: [size, size] });
  const xf = { type: 'float32', data: floats(size * size, 32), dims: [size, size] };
  const xb = quanta.binarizeActivations(xf);
  const y32 = new Int32Array(size * size);
  const yf = new Float32Array(size * size);
  const bitMacs = size * size * size;
  for (const threads of [1, 2]) {
    await time({ group: 'binary', impl: 'quanta', shape: [size, size, size], threads, ops: bitMacs, limit: 'vpopcntq_zmm_gbits', runs: 5,
      name: `quanta binaryGemmSync ${size}^3, binarized activations, int32 out (bit-MACs)`, before: pin(threads) },
    () => quanta.binaryGemmSync(xb, packed, { output: 'int32', out: y32 }));
    await time({ group: 'binary', impl: 'quanta', shape: [size, size, size], threads, ops: bitMacs, limit: 'vpopcntq_zmm_gbits', runs: 5,
      name: `quanta binaryGemmSync ${size}^3, float32 activations binarized per call (bit-MACs)`, before: pin(threads) },
    () => quanta.binaryGemmSync(xf, packed, { out: yf }));
  }
  const m = 256;
  const xs = { type: 'float32', data: floats(m * size, 33), dims: [m, size] };
  const ys = new Float32Array(m * size);
  await time({ group: 'binary', impl: 'quanta', shape: [m, size, size], threads: 1, ops: 2 * m * size * size, limit: 'vfmadd_zmm_gflops', runs: 5,
    name: `quanta binaryGemmSync ${m}x${size}x${size}, binary weights x float32 activations (FLOP: add or subtract)`, before: pin(1) },
  () => quanta.binaryGemmSync(xs, packed, { activations: 'float32', out: ys }));
}

// The cost of one call on a tiny problem
if (only('overhead')) {
  const L = layer(16, 16, 5);
  const a = { type: 'uint8', data: lcgBytes(16, 9, Uint8Array), dims: [1, 16] };
  const y = new Int32Array(16);
  const feeds = { A: new ort.Tensor('uint8', a.data, [1, 16]), a_zp: new ort.Tensor('uint8', Uint8Array.of(128), []) };
  const ortY = new ort.Tensor('int32', new Int32Array(16), [1, 16]);
  const calls = 1000;
  await time({ group: 'overhead', impl: 'quanta', shape: [1, 16, 16], threads: 1, name: 'quanta gemm 1x16x16 (sync call, reused output)', before: pin(1) },
    () => { for (let i = 0; i < calls; i++) quanta.gemmSync(a, L.packed, { aZeroPoint: 128, out: y }); }, calls);
  later(async (slot) => {
    const s = await ortSession(matmulIntegerModel(16, 16, L.wKN), 1);
    await time({ slot, group: 'overhead', impl: 'onnxruntime', peer: true, shape: [1, 16, 16], threads: 1, name: 'ORT MatMulInteger 1x16x16 (run, preallocated output)' },
      async () => { for (let i = 0; i < calls; i++) await s.run(feeds, { Y: ortY }); }, calls);
    await s.release();
  });
}

for (const job of peerJobs) await job();
results.sort((a, b) => a.slot - b.slot);

peakRuns.after = { 1: peaks(1), 2: peaks(2) };
const peak = (t, key) => Math.max(peakRuns.before[t][key], peakRuns.after[t][key]);

// ---- derived ----------------------------------------------------------------------------------
for (const r of results) {
  if (r.ops) {
    r.gopsMedian = r.ops / (r.medianMs * 1e-3) / 1e9;
    r.gopsBest = r.ops / (r.minMs * 1e-3) / 1e9;
    const limitKey = r.limit ?? (r.group === 'fp32' ? 'vfmadd_zmm_gflops' : 'vpdpbusd_zmm_gops');
    const limit = peakRuns.before[r.threads][limitKey] === undefined ? undefined : peak(r.threads, limitKey);
    r.ofPeak = limit === undefined ? undefined : r.gopsMedian / limit;
    // int4 G = 32 with int8 activations, several rows: also against its own instruction mix's
    // ceiling (peaks.cc: VPDPBUSD with a VMULPS + VFMADD per 8, which share its two pipes).
    const mixKey = 'vpdpbusd_group32_zmm_gops';
    if (r.group === 'int4' && r.impl === 'quanta' && r.pair === 'int8' && r.blockSize === 32 && r.shape[0] > 1 && peakRuns.before[r.threads][mixKey] !== undefined) {
      r.ofGroup32Mix = r.gopsMedian / peak(r.threads, mixKey);
    }
  }
  if (r.bytes) {
    r.gbpsMedian = r.bytes / (r.medianMs * 1e-3) / 1e9;
    r.gbpsBest = r.bytes / (r.minMs * 1e-3) / 1e9;
    if (r.readGBps) {
      r.ofRead = r.gbpsMedian / r.readGBps.median;
      r.ofReadBest = r.gbpsBest / r.readGBps.best;
    }
  }
}
for (const r of results) {
  const peer = results.find((p) => p.peer && p.group === r.group && p.threads === r.threads && String(p.shape) === String(r.shape)
    && p.residency === r.residency && p.blockSize === r.blockSize && p.pair === r.pair);
  if (peer && !r.peer) r.vsPeer = peer.medianMs / r.medianMs;
  const engine = results.find((p) => p.impl === 'quanta-int8-engine' && String(p.shape) === String(r.shape));
  if (engine && r.group === 'int4' && r.impl === 'quanta' && r.pair === 'int8') r.vsInt8Engine = engine.medianMs / r.medianMs;
  // The same case on one thread (names never carry the thread count).
  const one = results.find((p) => p.name === r.name && p.threads === 1);
  if (r.threads === 2 && one) r.vsOneThread = one.medianMs / r.medianMs;
  const fp32 = results.find((p) => p.group === 'fp32' && p.threads === r.threads && String(p.shape) === String(r.shape));
  if (fp32 && r.group === 'square' && r.impl === 'quanta') r.vsFp32 = fp32.medianMs / r.medianMs;
}

const date = new Date().toISOString().slice(0, 10);
const machine = {
  cpuModel: caps.cpuModel, logicalCores: caps.logicalCores, isa: caps.isa, gemmKernel: quanta.gemmKernelIsa(),
  node: process.version, onnxruntimeNode: ort.env.versions.node, os: `${os.type()} ${os.release()}`, loadavg: os.loadavg(),
};
const out = { suite: 'gemm', date, machine, peaks: peakRuns, agreement, results };
mkdirSync(`${here}results`, { recursive: true });
const base = `${here}results/${date}-gemm${quick ? '-quick' : ''}${onlyArg ? `-${onlyArg.replaceAll(',', '-')}` : ''}`;
writeFileSync(`${base}.json`, `${JSON.stringify(out, (k, v) => (k === 'samplesMs' ? undefined : v), 1)}\n`);

const f = (v, d = 1) => (v === undefined ? '—' : v.toFixed(d));
const pct = (v) => (v === undefined ? '—' : `${(100 * v).toFixed(0)}%`);
const x = (v) => (v === undefined ? '—' : `${v.toFixed(2)}×`);
const lines = [
  `# int8 GEMM engine — ${date}`, '',
  `${machine.cpuModel}, ${machine.logicalCores} logical cores; quanta path ${machine.isa} (GEMM kernel ${machine.gemmKernel}); Node ${machine.node}; onnxruntime-node ${machine.onnxruntimeNode}; load average at the end ${machine.loadavg.map((v) => v.toFixed(2)).join(' ')}.`, '',
  'Peaks in this run (best of before / after the suite): ' +
    [1, 2].map((t) => `${t} thread${t > 1 ? 's' : ''}: VPDPBUSD zmm ${f(peak(t, 'vpdpbusd_zmm_gops'), 0)} GOPS, ymm ${f(peak(t, 'vpdpbusd_ymm_gops'), 0)} GOPS, FMA zmm ${f(peak(t, 'vfmadd_zmm_gflops'), 0)} GFLOP/s` +
      (popcnt ? `, VPOPCNTQ zmm ${f(peak(t, 'vpopcntq_zmm_gbits'), 0)} Gbit/s` : '') +
      (peakRuns.before[t].vpdpbusd_group32_zmm_gops !== undefined ? `, VPDPBUSD zmm with a G = 32 group's float step (1 VMULPS + 1 VFMADD per 8) ${f(peak(t, 'vpdpbusd_group32_zmm_gops'), 0)} GOPS` : '')).join('; ') + '.', '',
  '| case | T | median ms | min ms | GOPS (median) | % of peak | GB/s of weights | % of read bw | × ORT | × 1 thread | × own fp32 | × int8 engine |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.name} | ${r.threads} | ${f(r.medianMs, 3)} | ${f(r.minMs, 3)} | ${f(r.gopsMedian, 0)} | ${pct(r.ofPeak)}${r.ofGroup32Mix ? ` (${pct(r.ofGroup32Mix)} of the G32 mix)` : ''} | ${r.bytes ? `${f(r.gbpsMedian)}${r.readGBps ? ` (read ${f(r.readGBps.median)})` : ''}` : '—'} | ${r.readGBps ? `${pct(r.ofRead)} (best ${pct(r.ofReadBest)})` : '—'} | ${x(r.vsPeer)} | ${x(r.vsOneThread)} | ${x(r.vsFp32)} | ${x(r.vsInt8Engine)} |`),
  '', '## Agreement', '', ...Object.entries(agreement).map(([k, v]) => `- ${k}: ${v}`), '',
  'GOPS = 2·M·N·K / time (binary rows: G bit-MAC/s = M·N·K / time, beside the VPOPCNTQ peak in bits/s). GB/s of weights = weight bytes (int8, or int4 packed with its scales) / median time per layer; "% of read bw" = that / the median of a plain read (quanta.timeRead) of a buffer of the same size, taken in the same process in turns with the runs of the case (best: best time / best read). "× ORT" = ORT median / quanta median (same shape, threads and residency). Overhead rows: time per call.',
];
writeFileSync(`${base}.md`, `${lines.join('\n')}\n`);
process.stderr.write(`wrote ${base}.json and .md\n`);
