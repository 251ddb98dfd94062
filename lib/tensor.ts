/**
 * Tensors as quanta accepts and returns them. Inputs are plain TypedArrays (a 1-D tensor) or
 * onnxruntime-style `{ type, data, dims }` objects; both are used in place, never copied.
 */
import type { IntQuantDType } from './dtypes';
import { QuantaError, describe, invalid } from './errors';

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** The shape onnxruntime-node's Tensor has; an ORT Tensor can be passed as it is. */
export interface TensorLike<D extends TypedArray = TypedArray> {
  readonly type: string;
  readonly data: D;
  readonly dims: readonly number[];
}

/** A float32 input: a 1-D Float32Array or a float32 tensor. */
export type Float32Input = Float32Array | TensorLike<Float32Array>;
/** One scale or several: a number, numbers, a Float32Array or a float32 tensor (blocked layouts). */
export type ScaleInput = number | readonly number[] | Float32Array | TensorLike<Float32Array>;
/** Zero points; an Int8Array / Uint8Array or int tensor also fixes the output dtype (ONNX). */
export type ZeroPointInput = number | readonly number[] | Int8Array | Uint8Array | Int32Array | TensorLike;
/** Integer codes: an Int8Array / Uint8Array, an int8/uint8/int4/uint4 tensor. */
export type IntInput = Int8Array | Uint8Array | TensorLike<Int8Array | Uint8Array>;

export interface Float32Tensor {
  type: 'float32';
  data: Float32Array;
  dims: number[];
}

/** How a quantized tensor's parameters were chosen. */
export interface QuantScheme {
  symmetric: boolean;
  /** 'onnxruntime' or 'pytorch' parameter formula, or 'onnx' when parameters were given. */
  profile: 'onnxruntime' | 'pytorch' | 'onnx';
  /** The clamp range the codes were limited to (may be narrower than the dtype). */
  qmin: number;
  qmax: number;
  reduceRange: boolean;
}

/**
 * A quantized tensor: codes plus everything needed to read them back.
 * `data` is an Int8Array for int8, otherwise a Uint8Array; sub-byte codes are packed in ONNX
 * order (element 2i in the low nibble for 4-bit; element 4i in the lowest two bits for 2-bit).
 * Scales are laid out as ONNX expects them: one, one per index of `axis`, or (with `blockSize`)
 * the input's shape with dims[axis] = ceil(dims[axis] / blockSize).
 */
export interface QuantizedTensor {
  dtype: IntQuantDType;
  dims: number[];
  data: Int8Array | Uint8Array;
  scale: Float32Array;
  zeroPoint: Int32Array;
  axis: number | null;
  blockSize: number | null;
  scheme: QuantScheme;
}

const TYPE_OF_ARRAY: [new (...args: never[]) => TypedArray, string][] = [
  [Float32Array, 'float32'], [Float64Array, 'float64'], [Int8Array, 'int8'], [Uint8Array, 'uint8'],
  [Int16Array, 'int16'], [Uint16Array, 'uint16'], [Int32Array, 'int32'], [Uint32Array, 'uint32'],
];

function typeOfArray(a: TypedArray): string {
  for (const [ctor, name] of TYPE_OF_ARRAY) if (a instanceof ctor) return name;
  return 'unknown';
}

export function isTensorLike(value: unknown): value is TensorLike {
  const v = value as TensorLike;
  return typeof v === 'object' && v !== null && typeof v.type === 'string' && ArrayBuffer.isView(v.data) && Array.isArray(v.dims);
}

/** Element count of dims, after checking each dim is a non-negative safe integer. */
export function sizeOf(dims: readonly number[], name: string): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw invalid('ERR_QUANTA_INVALID_SHAPE', `${name}.dims`, 'non-negative integers', d);
    n *= d;
  }
  if (!Number.isSafeInteger(n)) throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `${name} has too many elements`);
  return n;
}

/** A view of `x` as { type, data, dims } with its data's length checked against dims. */
export function viewTensor(x: unknown, name: string): { type: string; data: TypedArray; dims: number[] } {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const data = x as TypedArray;
    return { type: typeOfArray(data), data, dims: [data.length] };
  }
  if (!isTensorLike(x)) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, 'a TypedArray or a { type, data, dims } tensor', x);
  }
  const dims = [...x.dims];
  const expected = sizeOf(dims, name);
  const actual = (x.data as TypedArray).length;
  // ORT's packed 4-bit tensors hold two codes per byte.
  const packed = x.type === 'int4' || x.type === 'uint4';
  const wanted = packed ? Math.ceil(expected / 2) : expected;
  if (actual !== wanted) {
    throw new QuantaError(
      'ERR_QUANTA_INVALID_SHAPE',
      `${name}.data must have ${wanted} elements for dims [${dims.join(', ')}], received ${describe(x.data)}`,
    );
  }
  return { type: x.type, data: x.data as TypedArray, dims };
}

/** A float32 input: Float32Array or a float32 TensorLike. */
export function viewFloat32(x: unknown, name: string): { data: Float32Array; dims: number[] } {
  const t = viewTensor(x, name);
  if (!(t.data instanceof Float32Array)) {
    throw invalid('ERR_QUANTA_INVALID_DTYPE', name, 'float32 (a Float32Array)', t.data);
  }
  return { data: t.data, dims: t.dims };
}

export function float32Tensor(data: Float32Array, dims: number[]): Float32Tensor {
  return { type: 'float32', data, dims };
}

/** Normalizes a possibly negative axis against a rank, as ONNX does. */
export function normalizeAxis(axis: number, rank: number, name = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw invalid('ERR_QUANTA_INVALID_AXIS', name, `an integer in [${-rank}, ${rank - 1}]`, axis);
  }
  return axis < 0 ? axis + rank : axis;
}

/** dims split around `axis` into [outer, axis length, inner]. */
export function splitAt(dims: readonly number[], axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= dims[i]!;
  for (let i = axis + 1; i < dims.length; i++) inner *= dims[i]!;
  return [outer, dims[axis]!, inner];
}
