/**
 * Binary (1-bit) quantization as in XNOR-Net (Rastegari et al. 2016, "XNOR-Net: ImageNet
 * Classification Using Binary Convolutional Neural Networks", eq. 4): W ~ alpha * sign(W) with
 * alpha = mean(|W|) over each filter (here: each channel along `axis`, or each block of
 * `blockSize` elements along it, or the whole tensor), the L2-optimal scale for sign(W).
 *
 * - The bit is 1 for x >= 0 and 0 for x < 0, so +0 and -0 both give 1 (sign(0) = +1, as
 *   XNOR-Net implementations binarize with `x >= 0`). NaN and +-Inf are rejected
 *   (ERR_QUANTA_NON_FINITE): the mean would not be finite.
 * - alpha is summed and divided in float64, then rounded once to float32 (PyTorch's
 *   `x.abs().mean(dim)` in float32 sums in an order of its own; float64 makes the result
 *   independent of order). An empty slice has alpha 0.
 * - Dequantize: bit ? +alpha : -alpha.
 * Bits are packed 8 per byte over the flattened tensor, element 8i in bit 0 of byte i; unused
 * high bits of the last byte are 0.
 */
import { QuantaError } from '../errors';
import type { LayoutOptions } from '../ops/layout';
import { planLayout } from '../ops/layout';
import type { Float32Tensor } from '../tensor';
import { float32Tensor, sizeOf } from '../tensor';
import { packedLength } from './bitpack';
import { forEachScaled, viewFiniteFloat32 } from './checks';
import { scaleCount } from './pow2';
import type { BinaryTensor } from './types';

/**
 * Per tensor without options; one alpha per index of `axis`; with `blockSize`, one per block
 * along `axis` (default the last axis), the last block possibly partial.
 */
export type QuantizeBinaryOptions = LayoutOptions;

/** XNOR-Net binarization: sign bits and mean(|x|) scales. */
export function quantizeBinary(x: unknown, options: QuantizeBinaryOptions = {}): BinaryTensor {
  const { data, dims } = viewFiniteFloat32(x, 'x', 'the binary scale is mean(|x|)');
  const layout = options.blockSize && options.axis === undefined ? { ...options, axis: -1 } : options;
  const count = scaleCount(dims, layout);
  const plan = planLayout(dims, count, layout);
  const sums = new Float64Array(count);
  const sizes = new Float64Array(count);
  const bits = new Uint8Array(packedLength(data.length, 1));
  forEachScaled(plan, (i, s) => {
    const v = data[i]!;
    sums[s]! += Math.abs(v);
    sizes[s]! += 1;
    if (v >= 0) bits[i >>> 3]! |= 1 << (i & 7);
  });
  const scale = new Float32Array(count);
  for (let s = 0; s < count; s++) scale[s] = sizes[s]! > 0 ? sums[s]! / sizes[s]! : 0;
  return { dtype: 'binary', dims, data: bits, scale, axis: plan.axis, blockSize: plan.blockSize };
}

/** bit ? +alpha : -alpha for every element. */
export function dequantizeBinary(q: BinaryTensor): Float32Tensor {
  if (q?.dtype !== 'binary') throw new QuantaError('ERR_QUANTA_INVALID_DTYPE', `q.dtype must be "binary", received ${String(q?.dtype)}`);
  const n = sizeOf(q.dims, 'q');
  if (!(q.data instanceof Uint8Array) || q.data.length !== packedLength(n, 1)) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `q.data must be a Uint8Array of ${packedLength(n, 1)} bytes for ${n} bits`);
  }
  if (!(q.scale instanceof Float32Array)) throw new QuantaError('ERR_QUANTA_INVALID_SCALE', 'q.scale must be a Float32Array');
  // alpha may be 0 (an all-zero slice), which readScales would refuse; check only finiteness.
  for (let s = 0; s < q.scale.length; s++) {
    if (!(q.scale[s]! >= 0) || !Number.isFinite(q.scale[s]!)) {
      throw new QuantaError('ERR_QUANTA_INVALID_SCALE', `q.scale[${s}] must be a finite number >= 0, received ${q.scale[s]}`);
    }
  }
  const plan = planLayout(q.dims, q.scale.length, { axis: q.axis ?? undefined, blockSize: q.blockSize ?? undefined });
  const out = new Float32Array(n);
  forEachScaled(plan, (i, s) => {
    const alpha = q.scale[s]!;
    out[i] = (q.data[i >>> 3]! >> (i & 7)) & 1 ? alpha : -alpha;
  });
  return float32Tensor(out, [...q.dims]);
}
