/**
 * bitsandbytes NormalFloat4 (QLoRA), bit for bit with bitsandbytes' quantize_4bit /
 * dequantize_4bit (csrc/kernels.cu kQuantizeBlockwise + dQuantizeNF4, and the same numbers from
 * the Python "default" backend):
 * - the flattened tensor is cut into blocks of `blockSize` elements (the last may be partial);
 *   each block's absmax = max |x| is its float32 scale;
 * - each x becomes x * (1 / absmax), both steps rounded to float32 (the kernel multiplies by the
 *   reciprocal, it does not divide), and its code is found by dQuantizeNF4's decision tree: the
 *   thresholds are the midpoints of neighbouring table values as float32 constants, compared
 *   with `>`, so a value exactly on a threshold takes the LOWER code;
 * - dequantize: NF4[code] * absmax in float32.
 * bitsandbytes packs element 2i in the HIGH nibble; quanta's own order is ONNX's (low nibble
 * first), so `order` says which: 'onnx' by default, 'bitsandbytes' for its layout.
 *
 * Defined results where bitsandbytes has none: an all-zero block has absmax 0, so x * (1 / 0)
 * is NaN, which the tree sends to code 0 (as the CUDA kernel does); it decodes to -1 * 0 = -0.
 * The same arithmetic holds for an absmax below 2^-128, whose float32 reciprocal overflows to
 * Infinity: its zeros get code 0 (-absmax) and its other values +-1.
 * NaN and +-Inf inputs are rejected (ERR_QUANTA_NON_FINITE): bitsandbytes' backends disagree
 * on them (torch.max propagates NaN, the CUDA reduction may drop it).
 */
import { QuantaError, invalid } from '../errors';
import type { Float32Tensor } from '../tensor';
import { float32Tensor, sizeOf } from '../tensor';
import { packNibbles, packedLength, unpackNibbles } from './bitpack';
import { checkInteger, viewFiniteFloat32 } from './checks';
import type { NibbleOrder, Nf4Tensor } from './types';

const f32 = Math.fround;

/** The NF4 table (bitsandbytes functional.get_4bit_type('nf4')), as float32. */
export const NF4_TABLE: Float32Array = Float32Array.from([
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
  -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
  0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
]);

// dQuantizeNF4's thresholds, as the float32 constants the C compiler makes of its literals.
// T[k] separates code k from code k + 1.
const T = [
  -0.8480964004993439, -0.6106329262256622, -0.4599952697753906, -0.33967943489551544,
  -0.23460740596055984, -0.13791173323988914, -0.045525018125772476, 0.03979014977812767,
  0.1202552504837513, 0.2035212516784668, 0.2920137718319893, 0.3893125355243683,
  0.5016634166240692, 0.6427869200706482, 0.8614784181118011,
].map(f32);

/**
 * dQuantizeNF4: the code of a value scaled to [-1, 1]. The tree's comparisons are `x > T[k]`
 * with T sorted, so the code is the number of thresholds x exceeds; NaN exceeds none (code 0),
 * exactly as the tree's all-false path.
 */
export function nf4Code(x: number): number {
  // Binary search with the same outcome as the tree (and as cheap: four comparisons).
  let lo = 0;
  let hi = 15;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x > T[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface QuantizeNf4Options {
  /** Elements per block: a power of two from 32 to 4096; default 64 (bitsandbytes' default). */
  blockSize?: number;
  /** Nibble order of the packed codes; default 'onnx' (element 2i low). */
  order?: NibbleOrder;
}

function checkOrder(order: unknown): NibbleOrder {
  if (order === undefined) return 'onnx';
  if (order !== 'onnx' && order !== 'bitsandbytes') throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'order', "'onnx' or 'bitsandbytes'", order);
  return order;
}

function checkBlockSize(blockSize: unknown): number {
  const b = checkInteger(blockSize, 'blockSize', 32, 4096, 64);
  if ((b & (b - 1)) !== 0) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'blockSize', 'a power of two from 32 to 4096', b);
  return b;
}

/** bitsandbytes quantize_4bit(quant_type='nf4'): blockwise absmax, codes by dQuantizeNF4. */
export function quantizeNf4(x: unknown, options: QuantizeNf4Options = {}): Nf4Tensor {
  const blockSize = checkBlockSize(options.blockSize);
  const order = checkOrder(options.order);
  const { data, dims } = viewFiniteFloat32(x, 'x', 'NF4 scales each block by its absmax');
  const n = data.length;
  const blocks = Math.ceil(n / blockSize);
  const scale = new Float32Array(blocks);
  const codes = new Uint8Array(n);
  for (let b = 0; b < blocks; b++) {
    const start = b * blockSize;
    const end = Math.min(n, start + blockSize);
    let absmax = 0;
    for (let i = start; i < end; i++) absmax = Math.max(absmax, Math.abs(data[i]!));
    scale[b] = absmax;
    const inv = f32(1 / absmax);
    for (let i = start; i < end; i++) codes[i] = nf4Code(f32(data[i]! * inv));
  }
  return { dtype: 'nf4', dims, data: packNibbles(codes, order), scale, axis: null, blockSize, order };
}

/** bitsandbytes dequantize_4bit(quant_type='nf4'): NF4[code] * absmax in float32. */
export function dequantizeNf4(q: Nf4Tensor): Float32Tensor {
  if (q?.dtype !== 'nf4') throw invalid('ERR_QUANTA_INVALID_DTYPE', 'q.dtype', 'nf4', q?.dtype);
  const blockSize = checkBlockSize(q.blockSize);
  const order = checkOrder(q.order);
  const n = sizeOf(q.dims, 'q');
  if (!(q.data instanceof Uint8Array) || q.data.length !== packedLength(n, 4)) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `q.data must be a Uint8Array of ${packedLength(n, 4)} bytes for ${n} codes`);
  }
  const blocks = Math.ceil(n / blockSize);
  if (!(q.scale instanceof Float32Array) || q.scale.length !== blocks) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `q.scale must be a Float32Array of ${blocks} block absmax values`);
  }
  const codes = unpackNibbles(q.data, n, order);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = NF4_TABLE[codes[i]!]! * q.scale[Math.floor(i / blockSize)]!;
  return float32Tensor(out, [...q.dims]);
}
