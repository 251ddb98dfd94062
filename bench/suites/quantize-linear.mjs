// Suite: QuantizeLinear float32 -> int8 and DequantizeLinear int8 -> float32, per tensor, on a
// 64 MiB float32 tensor (16 Mi elements): quanta beside onnxruntime-node, 1 and 2 threads.
//
//   node bench/suites/quantize-linear.mjs <result.json>
//
// Run by bench/run.mjs in a fresh process; writes raw timings and case metadata as JSON.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

import ort from 'onnxruntime-node';

import { addon, quanta } from '../lib/quanta.mjs';
import { timeCases } from '../lib/timing.mjs';

const N = 16 << 20; // 16 Mi elements = 64 MiB of float32
const SCALE = 4 / 127; // inputs span [-5, 5): the tails saturate, as real activations do
const ZERO_POINT = 0; // symmetric int8
const L2_N = 64 << 10; // 256 KiB in + 64 KiB out: fits the 1 MiB L2, so memory is not the limit
const L2_CALLS = 256;
const models = fileURLToPath(new URL('../models/', import.meta.url));

// ---- setup (never timed) ----------------------------------------------------------------------
function makeInput(n) {
  const x = new Float32Array(n);
  let s = 0x2545f491;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s / 2 ** 32) * 10 - 5;
  }
  return x;
}

const x = makeInput(N);
const scaleArr = new Float32Array([SCALE]);
const zpArr = new Int32Array([ZERO_POINT]);
const zpInt8 = new Int8Array([ZERO_POINT]);
// Reused outputs, touched before timing (first touch costs a page fault per 4 KiB).
const codesOut = new Int8Array(N).fill(1);
const floatOut = new Float32Array(N).fill(1);
const codes = quanta.quantizeLinear(x, SCALE, zpInt8); // input of every dequantize case
const xSmall = x.subarray(0, L2_N);
const codesSmall = codes.data.subarray(0, L2_N);
const codesSmallOut = new Int8Array(L2_N);
const floatSmallOut = new Float32Array(L2_N);

async function session(file, threads) {
  return ort.InferenceSession.create(`${models}${file}`, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}
const ortScale = new ort.Tensor('float32', scaleArr, []);
const ortZp = new ort.Tensor('int8', zpInt8, []);
const qFeeds = { x: new ort.Tensor('float32', x, [N]), scale: ortScale, zero_point: ortZp };
const dFeeds = { x: new ort.Tensor('int8', codes.data, [N]), scale: ortScale, zero_point: ortZp };
const ortCodesOut = new ort.Tensor('int8', new Int8Array(N).fill(1), [N]);
const ortFloatOut = new ort.Tensor('float32', new Float32Array(N).fill(1), [N]);
const sessions = {};
for (const t of [1, 2]) {
  sessions[t] = { q: await session('quantize_linear.onnx', t), d: await session('dequantize_linear.onnx', t) };
}

// ---- agreement: the cases must compute the same thing -----------------------------------------
function firstDiff(a, b) {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `element ${i}: ${a[i]} vs ${b[i]}`;
  return null;
}
quanta.setNumThreads(1);
addon.quantizeLinear(x, scaleArr, zpArr, codesOut, 1, N, 1, 0, 0, -128, 127);
addon.dequantizeLinear(codes.data, scaleArr, zpArr, floatOut, 1, N, 1, 0, 0);
const ortQ = (await sessions[1].q.run(qFeeds)).y.data;
const ortD = (await sessions[1].d.run(dFeeds)).y.data;
const agreement = {
  quantizeQuantaVsOrt: firstDiff(codes.data, ortQ) ?? 'identical',
  quantizeKernelVsPublic: firstDiff(codesOut, codes.data) ?? 'identical',
  dequantizeQuantaVsOrt: firstDiff(quanta.dequantizeLinear(codes).data, ortD) ?? 'identical',
  dequantizeKernelVsPublic: firstDiff(floatOut, quanta.dequantizeLinear(codes).data) ?? 'identical',
};

// The public API takes a caller's output (`out`) where this tree has it; detect, do not assume.
const hasOut = (() => {
  const o = new Int8Array(64);
  return quanta.quantizeLinear(x.subarray(0, 64), SCALE, zpInt8, { out: o }).data === o;
})();

// ---- cases ------------------------------------------------------------------------------------
const Q_BYTES = { read: 4 * N, written: N };
const D_BYTES = { read: N, written: 4 * N };
const cases = [];
function add(meta, fn, perCall, opts) {
  cases.push({ meta, timed: { name: meta.name, fn, perCall, opts } });
}
// An untimed event-loop turn before each run. quanta's large fresh outputs are external buffers
// whose native memory is released by a finalizer that needs the event loop to turn; in a tight
// synchronous loop they pile up and every call lands on never-touched memory. ORT's run() is
// async (it turns the loop by itself), so its cases need none.
const turn = { beforeEach: () => new Promise((resolve) => setImmediate(resolve)) };

for (const threads of [1, 2]) {
  const s = sessions[threads];
  const pin = () => quanta.setNumThreads(threads); // set before each case group (not timed)
  const q = { op: 'quantize', threads, ...Q_BYTES };
  const d = { op: 'dequantize', threads, ...D_BYTES };
  add({ ...q, impl: 'quanta', output: 'reused', name: `quanta quantize kernel, reused output [addon]`, before: pin },
    () => addon.quantizeLinear(x, scaleArr, zpArr, codesOut, 1, N, 1, 0, 0, -128, 127));
  if (hasOut) {
    add({ ...q, impl: 'quanta', output: 'out', name: `quanta quantizeLinear (public API, out: reused buffer)`, before: pin },
      () => quanta.quantizeLinear(x, SCALE, zpInt8, { out: codesOut }));
  }
  add({ ...q, impl: 'quanta', output: 'fresh', name: `quanta quantizeLinear (public API, fresh output, event-loop turn between calls)`, before: pin },
    () => quanta.quantizeLinear(x, SCALE, zpInt8), 1, turn);
  add({ ...q, impl: 'quanta', output: 'fresh-sync', name: `quanta quantizeLinear (public API, fresh output, back-to-back sync loop)`, before: pin },
    () => quanta.quantizeLinear(x, SCALE, zpInt8));
  add({ ...q, impl: 'onnxruntime', output: 'prealloc', name: `ORT QuantizeLinear, preallocated output` },
    () => s.q.run(qFeeds, { y: ortCodesOut }));
  add({ ...q, impl: 'onnxruntime', output: 'fresh', name: `ORT QuantizeLinear (as used, fresh output)`, peer: true },
    () => s.q.run(qFeeds));
  add({ ...d, impl: 'quanta', output: 'reused', name: `quanta dequantize kernel, reused output [addon]`, before: pin },
    () => addon.dequantizeLinear(codes.data, scaleArr, zpArr, floatOut, 1, N, 1, 0, 0));
  if (hasOut) {
    add({ ...d, impl: 'quanta', output: 'out', name: `quanta dequantizeLinear (public API, out: reused buffer)`, before: pin },
      () => quanta.dequantizeLinear(codes, undefined, undefined, { out: floatOut }));
  }
  add({ ...d, impl: 'quanta', output: 'fresh', name: `quanta dequantizeLinear (public API, fresh output, event-loop turn between calls)`, before: pin },
    () => quanta.dequantizeLinear(codes), 1, turn);
  add({ ...d, impl: 'quanta', output: 'fresh-sync', name: `quanta dequantizeLinear (public API, fresh output, back-to-back sync loop)`, before: pin },
    () => quanta.dequantizeLinear(codes));
  add({ ...d, impl: 'onnxruntime', output: 'prealloc', name: `ORT DequantizeLinear, preallocated output` },
    () => s.d.run(dFeeds, { y: ortFloatOut }));
  add({ ...d, impl: 'onnxruntime', output: 'fresh', name: `ORT DequantizeLinear (as used, fresh output)`, peer: true },
    () => s.d.run(dFeeds));
}

// References for the analysis: what a fresh output costs alone, and the kernels' compute ceiling.
add({ op: 'alloc', impl: 'reference', threads: 1, read: 0, written: N, name: 'new Int8Array(16 Mi) + fill (fresh 16 MiB)' },
  () => new Int8Array(N).fill(1));
add({ op: 'alloc', impl: 'reference', threads: 1, read: 0, written: N, name: 'fill a reused Int8Array(16 Mi)' },
  () => codesOut.fill(1));
add({ op: 'alloc', impl: 'reference', threads: 1, read: 0, written: 4 * N, name: 'new Float32Array(16 Mi) + fill (fresh 64 MiB)' },
  () => new Float32Array(N).fill(1));
add({ op: 'alloc', impl: 'reference', threads: 1, read: 0, written: 4 * N, name: 'fill a reused Float32Array(16 Mi)' },
  () => floatOut.fill(1));
const pin1 = () => quanta.setNumThreads(1);
add({ op: 'quantize-l2', impl: 'quanta', threads: 1, read: 4 * L2_N, written: L2_N, name: 'quanta quantize kernel, 64 Ki elements in L2 (compute ceiling)', before: pin1 },
  () => { for (let i = 0; i < L2_CALLS; i++) addon.quantizeLinear(xSmall, scaleArr, zpArr, codesSmallOut, 1, L2_N, 1, 0, 0, -128, 127); }, L2_CALLS);
add({ op: 'dequantize-l2', impl: 'quanta', threads: 1, read: L2_N, written: 4 * L2_N, name: 'quanta dequantize kernel, 64 Ki elements in L2 (compute ceiling)', before: pin1 },
  () => { for (let i = 0; i < L2_CALLS; i++) addon.dequantizeLinear(codesSmall, scaleArr, zpArr, floatSmallOut, 1, L2_N, 1, 0, 0); }, L2_CALLS);

const results = [];
for (const c of cases) {
  c.meta.before?.();
  const [r] = await timeCases([c.timed]);
  const { before, ...meta } = c.meta;
  results.push({ ...meta, ...r });
  process.stderr.write(`  ${meta.name} [${meta.threads}T]: median ${r.medianMs.toFixed(3)} ms\n`);
}

const caps = quanta.capabilities();
const out = {
  suite: 'quantize-linear',
  tensor: { elements: N, float32Bytes: 4 * N, int8Bytes: N, scale: SCALE, zeroPoint: ZERO_POINT, dtype: 'int8', granularity: 'per tensor' },
  machine: {
    cpuModel: caps.cpuModel,
    logicalCores: caps.logicalCores,
    isa: caps.isa,
    kernels: caps.kernels,
    node: process.version,
    onnxruntimeNode: ort.env.versions.node,
    os: `${os.type()} ${os.release()}`,
  },
  publicOutOption: hasOut,
  agreement,
  results,
};
writeFileSync(process.argv[2] ?? '/dev/stdout', `${JSON.stringify(out, null, 1)}\n`);
