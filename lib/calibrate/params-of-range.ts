/** Ranges (per tensor or per channel) to scale and zero point through computeQuantParams. */
import { QuantaError } from '../errors';
import { computeQuantParams } from '../params';
import type { CalibrationScheme, ObservedRange, ObserverParams } from './types';

export function paramsOfRange(range: ObservedRange, scheme: CalibrationScheme, axis: number | null): ObserverParams {
  const n = range.min.length;
  const scale = new Float32Array(n);
  const zeroPoint = new Int32Array(n);
  let qmin = 0;
  let qmax = 0;
  for (let i = 0; i < n; i++) {
    const p = computeQuantParams(range.min[i]!, range.max[i]!, {
      dtype: scheme.dtype, symmetric: scheme.symmetric, narrowRange: scheme.narrowRange,
      reduceRange: scheme.reduceRange, profile: scheme.profile,
    });
    scale[i] = p.scale;
    zeroPoint[i] = p.zeroPoint;
    qmin = p.qmin;
    qmax = p.qmax;
  }
  return { scale, zeroPoint, qmin, qmax, axis };
}

export function emptyObserverError(kind: string): QuantaError {
  return new QuantaError('ERR_QUANTA_EMPTY_TENSOR', `${kind} has observed no finite value: observe() a non-empty batch before computing parameters`);
}

export function scalarRange(min: number, max: number): ObservedRange {
  return { min: Float32Array.of(min), max: Float32Array.of(max) };
}
