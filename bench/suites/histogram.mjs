// Suite: histogram (2048 bins) and min/max of 10^8 float32 values (400 MB, far larger than any
// cache), 1 and 2 threads, beside the read bandwidth of the stream probe. Target: the histogram
// at >= 5 GB/s on one thread, close to 2x that on two.
//
//   node bench/suites/histogram.mjs <result.json>
//
// Run by bench/run.mjs in a fresh process; writes raw timings and case metadata as JSON.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

import { addon, quanta } from '../lib/quanta.mjs';
import { timeCases } from '../lib/timing.mjs';

const require = createRequire(import.meta.url);
const kernels = require(fileURLToPath(new URL('../../dist/cjs/calibrate/range-kernels.js', import.meta.url)));

const N = 100_000_000; // 400 MB of float32
const BINS = 2048;
const LO = -5;
const HI = 5;

// ---- setup (never timed): generated once, reused by every case --------------------------------
const x = new Float32Array(N);
{
  // Roughly normal (sum of 4 uniforms), as activations are: hot bins in the middle.
  let s = 0x2545f491;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
  for (let i = 0; i < N; i++) x[i] = (u() + u() + u() + u() - 2) * 2.5;
}
const lo32 = Math.fround(LO);
const inv32 = Math.fround(BINS / (HI - LO));
const counts = new Float64Array(BINS);

// ---- agreement: native == the TypeScript specification (on a 4 Mi prefix, the spec is slow) ---
const prefix = x.subarray(0, 4 << 20);
const a = new Float64Array(BINS);
const b = new Float64Array(BINS);
kernels.histogramInto(prefix, LO, HI, a, 'signed');
kernels.histogramIntoReference(prefix, LO, HI, b, 'signed');
const same = a.every((v, i) => v === b[i]);
const full = [1, 2].map((t) => {
  quanta.setNumThreads(t);
  const c = new Float64Array(BINS);
  addon.histogramF32(x, lo32, inv32, c, false);
  return c;
});
const agreement = {
  histogramNativeVsSpec: same ? 'identical' : 'DIFFERENT',
  histogram1vs2Threads: full[0].every((v, i) => v === full[1][i]) ? 'identical' : 'DIFFERENT',
  countsSum: full[0].reduce((s, v) => s + v, 0),
};

// ---- cases ------------------------------------------------------------------------------------
const cases = [];
for (const threads of [1, 2]) {
  const pin = () => quanta.setNumThreads(threads);
  const io = { threads, read: 4 * N, written: 0 };
  cases.push({ meta: { ...io, op: 'histogram', impl: 'quanta', output: 'reused', name: `quanta histogram ${BINS} bins, signed [addon]`, before: pin },
    timed: { name: `h${threads}`, fn: () => addon.histogramF32(x, lo32, inv32, counts, false) } });
  cases.push({ meta: { ...io, op: 'histogram', impl: 'quanta', output: 'reused', name: `quanta histogram ${BINS} bins, abs [addon]`, before: pin },
    timed: { name: `ha${threads}`, fn: () => addon.histogramF32(x, lo32, inv32, counts, true) } });
  cases.push({ meta: { ...io, op: 'histogram', impl: 'quanta', output: 'out', name: `quanta histogramInto (public API, ${BINS} bins)`, before: pin },
    timed: { name: `hp${threads}`, fn: () => kernels.histogramInto(x, LO, HI, counts, 'signed') } });
  cases.push({ meta: { ...io, op: 'range', impl: 'quanta', output: 'none', name: 'quanta rangeOf (public API)', before: pin },
    timed: { name: `r${threads}`, fn: () => kernels.rangeOf(x) } });
}
// The specification in plain TypeScript, on a 16 Mi prefix (what an observer cost before).
const small = x.subarray(0, 16 << 20);
cases.push({ meta: { threads: 1, read: 4 * small.length, written: 0, op: 'histogram', impl: 'typescript', output: 'reused', name: `TypeScript histogramIntoReference (16 Mi values)` },
  timed: { name: 'ts', fn: () => kernels.histogramIntoReference(small, LO, HI, counts, 'signed'), runs: 3 } });

const results = [];
for (const c of cases) {
  c.meta.before?.();
  const [r] = await timeCases([c.timed], c.timed.runs ? { runs: c.timed.runs, warmup: 1 } : undefined);
  const { before, ...meta } = c.meta;
  results.push({ ...meta, ...r, name: meta.name });
  process.stderr.write(`  ${meta.name} [${meta.threads}T]: median ${r.medianMs.toFixed(2)} ms, ${(meta.read / r.medianMs / 1e6).toFixed(2)} GB/s\n`);
}

const caps = quanta.capabilities();
const out = {
  suite: 'histogram',
  tensor: { elements: N, float32Bytes: 4 * N, bins: BINS, lo: LO, hi: HI, distribution: 'sum of 4 uniforms (bell-shaped)' },
  machine: {
    cpuModel: caps.cpuModel,
    logicalCores: caps.logicalCores,
    isa: caps.isa,
    kernels: caps.kernels,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  },
  agreement,
  results,
};
writeFileSync(process.argv[2] ?? '/dev/stdout', `${JSON.stringify(out, null, 1)}\n`);
