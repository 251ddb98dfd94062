/** Checking scale and zero-point arguments once, at the boundary. */
import type { IntQuantDType } from '../dtypes';
import { INT_RANGES } from '../dtypes';
import { QuantaError, invalid } from '../errors';
import { isTensorLike, viewTensor } from '../tensor';

export interface ScaleInput {
  data: Float32Array;
  dims: number[] | undefined;
}

/** A per-output-column bias: N finite values (a Float32Array is used as it is), or null. */
export function readBias(bias: Float32Array | readonly number[] | undefined, n: number): Float32Array | null {
  if (bias === undefined) return null;
  const b = bias instanceof Float32Array ? bias : Float32Array.from(bias);
  if (b.length !== n) throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `options.bias must have ${n} (N) values, received ${b.length}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(b[i]!)) throw new QuantaError('ERR_QUANTA_NON_FINITE', `options.bias[${i}] must be finite, received ${b[i]}`);
  }
  return b;
}

/**
 * A number, number[], Float32Array or float32 tensor of scales, each finite and > 0 — or, for
 * dequantization (`anySign`), finite of any sign: (q - zp) * s is defined for every finite s, and
 * ggml's Q4_0 stores negative scales.
 */
export function readScales(scale: unknown, name = 'scale', anySign = false): ScaleInput {
  let data: Float32Array;
  let dims: number[] | undefined;
  if (typeof scale === 'number') {
    data = new Float32Array([scale]);
  } else if (Array.isArray(scale)) {
    data = Float32Array.from(scale as number[]);
  } else if (scale instanceof Float32Array) {
    data = scale;
  } else if (isTensorLike(scale)) {
    const t = viewTensor(scale, name);
    if (!(t.data instanceof Float32Array)) throw invalid('ERR_QUANTA_INVALID_DTYPE', name, 'float32', t.data);
    data = t.data;
    dims = t.dims;
  } else {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, 'a number, number[], Float32Array or float32 tensor', scale);
  }
  if (data.length === 0) throw new QuantaError('ERR_QUANTA_INVALID_SCALE', `${name} must not be empty`);
  for (let i = 0; i < data.length; i++) {
    const s = data[i]!;
    if (!Number.isFinite(s) || (!anySign && !(s > 0))) {
      throw new QuantaError(
        'ERR_QUANTA_INVALID_SCALE',
        `${name}${data.length > 1 ? `[${i}]` : ''} must be a finite number${anySign ? '' : ' > 0'}, received ${Number.isNaN(s) ? 'NaN' : s}`,
      );
    }
  }
  return { data, dims };
}

/** The dtype a zero point implies (ONNX: the zero point's type is the output type), if any. */
export function dtypeOfZeroPoint(zeroPoint: unknown): IntQuantDType | undefined {
  if (zeroPoint instanceof Int8Array) return 'int8';
  if (zeroPoint instanceof Uint8Array) return 'uint8';
  if (isTensorLike(zeroPoint)) {
    const t = zeroPoint.type;
    if (t === 'int8' || t === 'uint8' || t === 'int4' || t === 'uint4' || t === 'int2' || t === 'uint2') return t;
  }
  return undefined;
}

/**
 * Zero points as int32 (count must match the scales), each within dtype's range. Missing zero
 * points are 0, as ONNX defines.
 */
export function readZeroPoints(zeroPoint: unknown, count: number, dtype: IntQuantDType, name = 'zeroPoint'): Int32Array {
  const out = new Int32Array(count);
  if (zeroPoint === undefined || zeroPoint === null) return out;
  let values: ArrayLike<number>;
  if (typeof zeroPoint === 'number') values = [zeroPoint];
  else if (Array.isArray(zeroPoint)) values = zeroPoint as number[];
  else if (ArrayBuffer.isView(zeroPoint) && !(zeroPoint instanceof DataView)) values = zeroPoint as unknown as ArrayLike<number>;
  else if (isTensorLike(zeroPoint)) {
    const t = zeroPoint.type;
    if (t === 'int4' || t === 'uint4') {
      // ORT packs 4-bit zero points two per byte (low nibble first).
      const packed = zeroPoint.data as Uint8Array;
      const signed = t === 'int4';
      const n = zeroPoint.dims.reduce((a, b) => a * b, 1);
      const unpacked: number[] = [];
      for (let i = 0; i < n; i++) {
        const v = (packed[i >> 1]! >> ((i & 1) * 4)) & 15;
        unpacked.push(signed && v > 7 ? v - 16 : v);
      }
      values = unpacked;
    } else values = zeroPoint.data as unknown as ArrayLike<number>;
  } else throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, 'a number, array, TypedArray or tensor', zeroPoint);
  if (values.length !== count) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `${name} must have ${count} element(s) like the scale, received ${values.length}`);
  }
  const [lo, hi] = INT_RANGES[dtype];
  for (let i = 0; i < count; i++) {
    const z = values[i]!;
    if (!Number.isInteger(z) || z < lo || z > hi) {
      throw new QuantaError('ERR_QUANTA_INVALID_ZERO_POINT', `${name}${count > 1 ? `[${i}]` : ''} must be an integer in [${lo}, ${hi}] for ${dtype}, received ${z}`);
    }
    out[i] = z;
  }
  return out;
}
