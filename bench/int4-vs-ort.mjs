// int4 weight-only linear: quanta's int4Linear beside onnxruntime-node's MatMulNBits (bits = 4)
// on the same weights, one thread each, for token generation (M = 1, K = 4096, N = 4096 and
// 11008) and small batches (M = 8, 32, 128, K = N = 4096), block sizes 32 and 128.
//
//   node bench/int4-vs-ort.mjs [--reps R]
//
// Both sides get the very same bytes: random MatMulNBits tensors (zero point 8), packed by
// quanta with packInt4FromMatMulNBits and given to onnxruntime as initializers of a one-node
// model (bench/lib/onnx-model.mjs), so it prepacks them as in a real model. onnxruntime
// runs accuracy_level 0 (float32 compute) and 4 (A quantized to int8), quanta activations
// 'float32' and 'int8'. Times: best and median of R runs after 3 dropped ones. onnxruntime-node
// only has an asynchronous run(), so its times include one Promise round trip (a few
// microseconds); quanta's are the synchronous call. GB/s = packed weight bytes / best time.
import { createRequire } from 'node:module';
import os from 'node:os';
import { parseArgs } from 'node:util';

import { matMulNBitsModel } from './lib/onnx-model.mjs';
import { quanta } from './lib/quanta.mjs';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');

const { values: args } = parseArgs({ options: { reps: { type: 'string', default: '15' } } });
const REPS = Number(args.reps);

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
}

function stats(times) {
  const t = [...times].sort((a, b) => a - b);
  return { best: t[0], median: t[Math.floor(t.length / 2)] };
}

async function time(fn, reps) {
  for (let i = 0; i < 3; i++) await fn();
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return stats(times);
}

quanta.setNumThreads(1);
const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
console.log(`# int4 linear vs onnxruntime-node ${ort.env.versions?.common ?? ''} MatMulNBits, one thread`);
console.log(`${new Date().toISOString()}, ${cpu}, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}, quanta kernels ${quanta.int4KernelIsa()}\n`);
console.log('| M | K | N | block | quanta f32 ms | quanta int8 ms | ORT acc0 ms | ORT acc4 ms | quanta int8 GB/s | int8 vs ORT acc4 | f32 vs ORT acc0 | max rel diff f32 vs ORT acc0 |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');

const shapes = [[1, 4096, 4096], [1, 4096, 11008], [8, 4096, 4096], [32, 4096, 4096], [128, 4096, 4096]];
for (const [M, K, N] of shapes) {
  for (const blockSize of [32, 128]) {
    const next = rng(M * 7 + blockSize);
    const kBlocks = K / blockSize;
    const B = new Uint8Array(N * kBlocks * (blockSize / 2));
    for (let i = 0; i < B.length; i++) B[i] = (next() * 256) | 0;
    const scales = new Float32Array(N * kBlocks);
    for (let i = 0; i < scales.length; i++) scales[i] = 0.01 + 0.01 * next();
    const A = new Float32Array(M * K);
    for (let i = 0; i < A.length; i++) A[i] = next() * 2 - 1;

    const packed = quanta.packInt4FromMatMulNBits(B, scales, null, { k: K, n: N, blockSize });
    const yF = new Float32Array(M * N);
    const yI = new Float32Array(M * N);
    const x = { type: 'float32', data: A, dims: [M, K] };
    const reps = M >= 32 ? Math.max(3, REPS >> 2) : REPS;
    const qf = await time(() => quanta.int4LinearSync(x, packed, { activations: 'float32', out: yF }), reps);
    const qi = await time(() => quanta.int4LinearSync(x, packed, { activations: 'int8', out: yI }), reps);

    const opts = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
    const feeds = { A: new ort.Tensor('float32', A, [M, K]) };
    const s0 = await ort.InferenceSession.create(matMulNBitsModel({ k: K, n: N, blockSize, B, scales, zeroPoints: null, accuracyLevel: 0 }), opts);
    const s4 = await ort.InferenceSession.create(matMulNBitsModel({ k: K, n: N, blockSize, B, scales, zeroPoints: null, accuracyLevel: 4 }), opts);
    const o0 = await time(() => s0.run(feeds), reps);
    const o4 = await time(() => s4.run(feeds), reps);
    const y0 = (await s0.run(feeds)).Y.data;
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < y0.length; i++) {
      diff = Math.max(diff, Math.abs(yF[i] - y0[i]));
      scale = Math.max(scale, Math.abs(y0[i]));
    }
    const gbps = packed.bytes / (qi.best * 1e-3) / 1e9;
    const f = (s) => `${s.best.toFixed(3)} (${s.median.toFixed(3)})`;
    console.log(`| ${M} | ${K} | ${N} | ${blockSize} | ${f(qf)} | ${f(qi)} | ${f(o0)} | ${f(o4)} | ${gbps.toFixed(1)} | ${(o4.best / qi.best).toFixed(2)}x | ${(o0.best / qf.best).toFixed(2)}x | ${(diff / scale).toExponential(1)} |`);
    await s0.release();
    await s4.release();
  }
}
console.log('\nms: best (median). "x" columns: onnxruntime time / quanta time (above 1: quanta is faster).');
