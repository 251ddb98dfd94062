/** The fixture script's gen(): the same float32 values from a seed (integer LCG, exact float64). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GenSpec { seed: number; n: number; scale: number; shift: number; outlierEvery?: number; outlierMul?: number; relu?: boolean; ends?: number[] }

export function gen(spec: GenSpec): Float32Array {
  let s = spec.seed >>> 0;
  const out = new Float32Array(spec.n);
  for (let k = 0; k < spec.n; k++) {
    let acc = 0;
    for (let r = 0; r < 4; r++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      acc += (s >>> 8) / 16777216;
    }
    let v = (acc - 2) * spec.scale + spec.shift;
    if (spec.outlierEvery && k % spec.outlierEvery === 0) v = v * spec.outlierMul!;
    if (spec.relu && v < 0) v = 0;
    out[k] = v;
  }
  (spec.ends ?? []).forEach((e, i) => { out[i] = e; });
  return out;
}

export function loadCalibrationFixture<T>(name: string): { versions: Record<string, string>; cases: T[] } {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'calibration', name), 'utf8'));
}

export function fromBits(b: number): number {
  return new Float32Array(Uint32Array.of(b).buffer)[0]!;
}

/** Distance in float32 ULPs. */
export function ulps(a: number, b: number): number {
  const ia = new Int32Array(Float32Array.of(a).buffer)[0]!;
  const ib = new Int32Array(Float32Array.of(b).buffer)[0]!;
  return Math.abs(ia - ib);
}
