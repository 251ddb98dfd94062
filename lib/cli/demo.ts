/**
 * The main job on the embedded default: probe the machine, then quantize a fixed tensor
 * (1,048,576 normally distributed weights shaped [1024, 1024], seeded) to int8 per channel,
 * int4 per group and uint8 per tensor, dequantize, and report the error and the speed.
 */
import { performance } from 'node:perf_hooks';

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

export function runDemo(): { isa: string; rows: DemoRow[] } {
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
  return { isa: capabilities().isa, rows };
}

export function formatDemo(result: { isa: string; rows: DemoRow[] }): string {
  const lines = [`round trip of 1,048,576 float32 weights [1024, 1024] (4,194,304 bytes) on '${result.isa}' kernels:`];
  for (const r of result.rows) {
    lines.push(
      `  ${r.name.padEnd(30)} SQNR ${r.sqnrDb.toFixed(2).padStart(6)} dB  max |err| ${r.maxAbsError.toExponential(2)}  ` +
        `${(r.bytes / 1024).toFixed(0).padStart(5)} KiB  quantize ${r.quantizeMs.toFixed(1)} ms  dequantize ${r.dequantizeMs.toFixed(1)} ms`,
    );
  }
  return lines.join('\n');
}
