/** Argument checks shared by the formats, in the grammar of lib/errors.ts. */
import { QuantaError, invalid } from '../errors';
import type { LayoutPlan } from '../ops/layout';
import { ScaleLayout } from '../ops/layout';
import { viewFloat32 } from '../tensor';
import type { Float8DType } from './types';

export const FLOAT8_DTYPES: readonly Float8DType[] = ['float8e4m3fn', 'float8e5m2'];

export function checkFloat8DType(dtype: unknown, name = 'dtype'): Float8DType {
  if (!(FLOAT8_DTYPES as readonly unknown[]).includes(dtype)) {
    throw invalid('ERR_QUANTA_INVALID_DTYPE', name, 'one of float8e4m3fn, float8e5m2', dtype);
  }
  return dtype as Float8DType;
}

export function checkBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, 'a boolean', value);
  return value;
}

/** An integer in [lo, hi], or `fallback` when undefined. */
export function checkInteger(value: unknown, name: string, lo: number, hi: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, `an integer in [${lo}, ${hi}]`, value);
  }
  return value;
}

/** A float32 input whose every value is finite (for formats whose scale a NaN or Inf would spoil). */
export function viewFiniteFloat32(x: unknown, name: string, why: string): { data: Float32Array; dims: number[] } {
  const input = viewFloat32(x, name);
  const d = input.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i]!)) {
      throw new QuantaError('ERR_QUANTA_NON_FINITE', `${name}[${i}] must be finite (${why}), received ${Number.isNaN(d[i]!) ? 'NaN' : d[i]}`);
    }
  }
  return input;
}

/** Calls `visit(elementIndex, scaleIndex)` for every element, in order, under `plan`. */
export function forEachScaled(plan: LayoutPlan, visit: (i: number, s: number) => void): void {
  const { outer, axisLength, inner, block } = plan;
  if (plan.layout === ScaleLayout.perTensor) {
    const n = outer * axisLength * inner;
    for (let i = 0; i < n; i++) visit(i, 0);
    return;
  }
  const blocks = plan.layout === ScaleLayout.blocked ? Math.ceil(axisLength / block) : 0;
  let i = 0;
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < axisLength; a++) {
      const row = plan.layout === ScaleLayout.perAxis ? a : (o * blocks + Math.floor(a / block)) * inner;
      for (let j = 0; j < inner; j++, i++) visit(i, plan.layout === ScaleLayout.perAxis ? row : row + j);
    }
  }
}
