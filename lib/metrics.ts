/** Error metrics between a reference and an approximation, accumulated in float64. */
import { QuantaError } from './errors';
import type { TensorLike } from './tensor';
import { viewTensor } from './tensor';

type Floats = Float32Array | Float64Array;
/** Float32 or float64 values: a TypedArray or a { type, data, dims } tensor. */
export type FloatArrayInput = Floats | TensorLike<Floats>;

function pair(reference: unknown, approx: unknown): [Floats, Floats] {
  const r = viewTensor(reference, 'reference').data;
  const a = viewTensor(approx, 'approx').data;
  if (!(r instanceof Float32Array || r instanceof Float64Array) || !(a instanceof Float32Array || a instanceof Float64Array)) {
    throw new QuantaError('ERR_QUANTA_INVALID_DTYPE', 'reference and approx must be float32 or float64');
  }
  if (r.length !== a.length) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `reference has ${r.length} elements but approx has ${a.length}`);
  }
  if (r.length === 0) throw new QuantaError('ERR_QUANTA_EMPTY_TENSOR', 'metrics need at least one element');
  return [r, a];
}

/** Mean squared error. */
export function mse(reference: FloatArrayInput, approx: FloatArrayInput): number {
  const [r, a] = pair(reference, approx);
  let sum = 0;
  for (let i = 0; i < r.length; i++) sum += (r[i]! - a[i]!) ** 2;
  return sum / r.length;
}

export function maxAbsError(reference: FloatArrayInput, approx: FloatArrayInput): number {
  const [r, a] = pair(reference, approx);
  let max = 0;
  for (let i = 0; i < r.length; i++) max = Math.max(max, Math.abs(r[i]! - a[i]!));
  return max;
}

/** Signal-to-quantization-noise ratio in dB: 10 log10(sum r^2 / sum (r - a)^2); Infinity when exact. */
export function sqnr(reference: FloatArrayInput, approx: FloatArrayInput): number {
  const [r, a] = pair(reference, approx);
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < r.length; i++) {
    signal += r[i]! ** 2;
    noise += (r[i]! - a[i]!) ** 2;
  }
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}

/** Cosine similarity; 1 when both are all zero, 0 when only one is. */
export function cosineSimilarity(reference: FloatArrayInput, approx: FloatArrayInput): number {
  const [r, a] = pair(reference, approx);
  let dot = 0;
  let rr = 0;
  let aa = 0;
  for (let i = 0; i < r.length; i++) {
    dot += r[i]! * a[i]!;
    rr += r[i]! ** 2;
    aa += a[i]! ** 2;
  }
  if (rr === 0 && aa === 0) return 1;
  if (rr === 0 || aa === 0) return 0;
  return dot / Math.sqrt(rr * aa);
}
