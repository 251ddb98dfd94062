/**
 * The main job on the embedded default: probe the machine, then quantize a fixed tensor
 * (1,048,576 normally distributed weights shaped [1024, 1024], seeded) to int8 per channel,
 * int4 per group and uint8 per tensor, dequantize, and report the error and the speed; then run
 * it as an int8 linear layer (64 seeded activation rows, quantized on the fly) against the
 * float64 product.
 */
import { performance } from 'node:perf_hooks';

import { dynamicQuantizeMatmulSync } from '../gemm-dynamic';
import { packWeights } from '../gemm';
import { maxAbsError, sqnr } from '../metrics';
import { dequantizeLinear } from '../ops/quantize-linear';
import { capabilities } from '../probe';
import { quantize } from '../quantize';
import type { QuantizeOptions } from '../quantize';

/** A seeded normal sample (xorshift32 + Box-Muller), the same on every machine. */
export function seededNormal(n: number, seed = 42): Float32Array {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 1) / 4294967297;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const t = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(t) * 0.02;
    if (i + 1 < n) out[i + 1] = r * Math.sin(t) * 0.02;
  }
  return out;
}

export interface DemoRow {
  name: string;
  sqnrDb: number;
  maxAbsError: number;
  quantizeMs: number;
  dequantizeMs: number;
  bytes: number;
}

export interface LinearDemo {
  rows: number;
  sqnrDb: number;
  packMs: number;
  /** Best of 5 calls. */
  callMs: number;
  gops: number;
  threads: number;
}

/** y = x W^T for the demo weights quantized int8 per channel, x [64, 1024] quantized per row. */
function runLinearDemo(weights: { type: string; data: Float32Array; dims: number[] }): LinearDemo {
  const [n, k] = weights.dims as [number, number];
  const rows = 64;
  const x = seededNormal(rows * k, 7).map((v) => v * 50);
  const exact = new Float32Array(rows * n);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let t = 0; t < k; t++) sum += x[i * k + t]! * weights.data[j * k + t]!;
      exact[i * n + j] = sum;
    }
  }
  const q = quantize(weights, { dtype: 'int8', axis: 0, symmetric: true });
  const t0 = performance.now();
  const packed = packWeights({ type: 'int8', data: q.data as Int8Array, dims: [n, k] }, { scale: q.scale });
  const packMs = performance.now() - t0;
  const out = new Float32Array(rows * n);
  let callMs = Infinity;
  for (let r = 0; r < 5; r++) {
    const t1 = performance.now();
    dynamicQuantizeMatmulSync({ type: 'float32', data: x, dims: [rows, k] }, packed, { out });
    callMs = Math.min(callMs, performance.now() - t1);
  }
  const caps = capabilities();
  return { rows, sqnrDb: sqnr(exact, out), packMs, callMs, gops: (2 * rows * n * k) / (callMs * 1e6), threads: caps.threads };
}

export function runDemo(): { isa: string; rows: DemoRow[]; linear: LinearDemo } {
  const dims = [1024, 1024];
  const weights = { type: 'float32', data: seededNormal(dims[0]! * dims[1]!), dims };
  const cases: [string, QuantizeOptions][] = [
    ['int8 per channel, symmetric', { dtype: 'int8', axis: 0, symmetric: true }],
    ['uint8 per tensor, asymmetric', { dtype: 'uint8' }],
    ['int4 groups of 32, symmetric', { dtype: 'int4', axis: 1, groupSize: 32, symmetric: true }],
  ];
  const rows = cases.map(([name, options]) => {
    const t0 = performance.now();
    const q = quantize(weights, options);
    const t1 = performance.now();
    const back = dequantizeLinear(q);
    const t2 = performance.now();
    return {
      name,
      sqnrDb: sqnr(weights, back),
      maxAbsError: maxAbsError(weights, back),
      quantizeMs: t1 - t0,
      dequantizeMs: t2 - t1,
      bytes: q.data.byteLength + q.scale.byteLength,
    };
  });
  return { isa: capabilities().isa, rows, linear: runLinearDemo(weights) };
}

export function formatDemo(result: { isa: string; rows: DemoRow[]; linear: LinearDemo }): string {
  const lines = [`round trip of 1,048,576 float32 weights [1024, 1024] (4,194,304 bytes) on '${result.isa}' kernels:`];
  for (const r of result.rows) {
    lines.push(
      `  ${r.name.padEnd(30)} SQNR ${r.sqnrDb.toFixed(2).padStart(6)} dB  max |err| ${r.maxAbsError.toExponential(2)}  ` +
        `${(r.bytes / 1024).toFixed(0).padStart(5)} KiB  quantize ${r.quantizeMs.toFixed(1)} ms  dequantize ${r.dequantizeMs.toFixed(1)} ms`,
    );
  }
  const l = result.linear;
  lines.push(
    `int8 linear layer: x [${l.rows}, 1024] (quantized per row on the fly) x int8 per-channel weights -> float32:`,
    `  SQNR ${l.sqnrDb.toFixed(2)} dB against the float64 product  pack ${l.packMs.toFixed(1)} ms  call ${l.callMs.toFixed(2)} ms ` +
      `(${l.gops.toFixed(0)} GOPS, ${l.threads} thread${l.threads > 1 ? 's' : ''})`,
  );
  return lines.join('\n');
}
