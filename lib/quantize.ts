/**
 * quantize(): parameters from the data, then ONNX QuantizeLinear. Per tensor, per channel on
 * any axis, or per group along an axis (the last group may be partial), with the scheme's range
 * and formula profile (see params.ts). NaN and +-Inf are rejected here: no finite range can be
 * measured over them.
 */
import type { IntQuantDType } from './dtypes';
import { isIntQuantDType } from './dtypes';
import { rangePerChannelInto } from './calibrate/range-kernels';
import { QuantaError, invalid } from './errors';
import { quantizeLinear } from './ops/quantize-linear';
import type { ParamsProfile } from './params';
import { computeQuantParams } from './params';
import type { IsaName } from './probe';
import type { Float32Input, QuantizedTensor } from './tensor';
import { normalizeAxis, splitAt, viewFloat32 } from './tensor';

export interface QuantizeOptions {
  dtype?: IntQuantDType;
  symmetric?: boolean;
  narrowRange?: boolean;
  reduceRange?: boolean;
  profile?: ParamsProfile;
  /** Per channel along this axis (or, with groupSize, the axis groups run along). */
  axis?: number;
  /** Groups of this many consecutive values along `axis` (8 to 1024). */
  groupSize?: number;
  isa?: IsaName;
}

/** Min / max per group slot (the blocked scale layout); returns the count of non-finite values. */
function groupRanges(
  data: Float32Array, outer: number, axisLength: number, inner: number, groupSize: number, mins: Float64Array, maxs: Float64Array,
): number {
  const blocks = Math.ceil(axisLength / groupSize);
  let nonFinite = 0;
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < axisLength; a++) {
      const base = (o * axisLength + a) * inner;
      const slotBase = (o * blocks + Math.floor(a / groupSize)) * inner;
      for (let i = 0; i < inner; i++) {
        const v = data[base + i]!;
        if (v - v !== 0) {
          nonFinite++;
          continue;
        }
        if (v < mins[slotBase + i]!) mins[slotBase + i] = v;
        if (v > maxs[slotBase + i]!) maxs[slotBase + i] = v;
      }
    }
  }
  return nonFinite;
}

export function quantize(x: Float32Input, options: QuantizeOptions = {}): QuantizedTensor {
  const input = viewFloat32(x, 'x');
  const dtype = options.dtype ?? 'int8';
  if (!isIntQuantDType(dtype)) throw invalid('ERR_QUANTA_INVALID_DTYPE', 'dtype', 'one of int8, uint8, int4, uint4, int2, uint2', dtype);
  const profile = options.profile ?? 'onnxruntime';
  if (profile !== 'onnxruntime' && profile !== 'pytorch') throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'profile', "'onnxruntime' or 'pytorch'", profile);
  const { data, dims } = input;
  const groupSize = options.groupSize;
  if (groupSize !== undefined && (!Number.isInteger(groupSize) || groupSize < 8 || groupSize > 1024)) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'groupSize', 'an integer in [8, 1024]', groupSize);
  }
  const perTensor = options.axis === undefined && groupSize === undefined;
  const axis = perTensor ? 0 : normalizeAxis(options.axis ?? dims.length - 1, dims.length);
  const [outer, axisLength, inner] = perTensor ? [1, data.length, 1] : splitAt(dims, axis);
  if (groupSize !== undefined && groupSize > axisLength) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'groupSize', `at most dims[${axis}] = ${axisLength}`, groupSize);
  }
  const blocks = groupSize !== undefined ? Math.ceil(axisLength / groupSize) : axisLength;
  // Range per scale slot, in the layout quantizeLinear expects.
  const count = perTensor ? 1 : groupSize !== undefined ? outer * blocks * inner : axisLength;
  const mins = new Float64Array(count).fill(Infinity);
  const maxs = new Float64Array(count).fill(-Infinity);
  let nonFinite: number;
  if (groupSize === undefined) {
    // Per tensor (one channel of everything) and per channel: the native range kernels (NaN and
    // +-Inf counted, not measured).
    nonFinite = perTensor
      ? rangePerChannelInto(data, 1, 1, data.length, mins, maxs)
      : rangePerChannelInto(data, outer, axisLength, inner, mins, maxs);
  } else {
    nonFinite = groupRanges(data, outer, axisLength, inner, groupSize, mins, maxs);
  }
  if (nonFinite > 0) {
    throw new QuantaError('ERR_QUANTA_NON_FINITE', `x contains ${nonFinite} NaN or infinite value(s): quantize() measures the range from the data`);
  }
  const scale = new Float32Array(count);
  const zeroPoint = new Int32Array(count);
  let qmin = 0;
  let qmax = 0;
  for (let s = 0; s < count; s++) {
    const lo = Number.isFinite(mins[s]!) || mins[s]! < 0 ? mins[s]! : 0;
    const hi = Number.isFinite(maxs[s]!) || maxs[s]! > 0 ? maxs[s]! : 0;
    const p = computeQuantParams(lo, hi, { dtype, symmetric: options.symmetric, narrowRange: options.narrowRange, reduceRange: options.reduceRange, profile });
    scale[s] = p.scale;
    zeroPoint[s] = p.zeroPoint;
    qmin = p.qmin;
    qmax = p.qmax;
  }
  const scaleTensor = groupSize !== undefined
    ? { type: 'float32', data: scale, dims: dims.map((d, i) => (i === axis ? blocks : d)) }
    : scale;
  return quantizeLinear(x, scaleTensor, zeroPoint, {
    dtype,
    axis: perTensor ? undefined : axis,
    blockSize: groupSize,
    range: [qmin, qmax],
    isa: options.isa,
    scheme: { symmetric: options.symmetric ?? false, profile, qmin, qmax, reduceRange: options.reduceRange ?? false },
  });
}
