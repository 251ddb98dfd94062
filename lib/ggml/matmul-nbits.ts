/**
 * onnxruntime's MatMulNBits weight layout (com.microsoft contrib op, bits = 4): the MatMul
 * weight B of shape [K, N] stored per output column n in blocks along K.
 *   B            uint8   [N, ceil(K / blockSize), blockSize / 2]  values along K, the first of
 *                                                                   each pair in the low nibble
 *   scales       float32 [N, ceil(K / blockSize)]                 (ORT: A's dtype; float32 here)
 *   zero_points  uint8   [N, ceil(ceil(K / blockSize) / 2)]        block 2i in the low nibble;
 *                                                                   absent means 8 for every block
 * Value = (nibble - zero point) * scale. Nibbles past K in the last block are padding.
 */
import { QuantaError, describe, invalid } from '../errors';
import type { Float32Tensor } from '../tensor';
import { float32Tensor } from '../tensor';

export interface Uint8TensorLike<D extends number[]> {
  type: 'uint8';
  data: Uint8Array;
  dims: D;
}

/** The inputs and attributes of a MatMulNBits node; the tensors can go to onnxruntime as is. */
export interface MatMulNBitsWeight {
  K: number;
  N: number;
  bits: 4;
  blockSize: number;
  B: Uint8TensorLike<[number, number, number]>;
  scales: { type: 'float32'; data: Float32Array; dims: [number, number] };
  /** Packed uint8 zero points; absent means 8 (2^(bits-1)), onnxruntime's default. */
  zeroPoints?: Uint8TensorLike<[number, number]>;
}

/** 'KN': [K, N], the MatMul weight as ONNX stores it; 'NK': [N, K], as ggml and PyTorch do. */
export type WeightLayout = 'KN' | 'NK';

export interface WeightLayoutOptions {
  weightLayout?: WeightLayout;
}

export function readLayout(options: WeightLayoutOptions): WeightLayout {
  const layout = options.weightLayout ?? 'KN';
  if (layout !== 'KN' && layout !== 'NK') throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'weightLayout', "'KN' or 'NK'", layout);
  return layout;
}

function checkLength(name: string, data: unknown, ctor: typeof Uint8Array | typeof Float32Array, length: number): void {
  if (!(data instanceof ctor) || data.length !== length) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `${name} must be a ${ctor.name} of ${length} elements, received ${describe(data)}`);
  }
}

/** Checks every size of a MatMulNBitsWeight against K, N and blockSize; returns the k-block count. */
export function checkMatMulNBits(w: MatMulNBitsWeight, name: string): number {
  if (typeof w !== 'object' || w === null) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, 'a MatMulNBitsWeight', w);
  if (w.bits !== 4) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', `${name}.bits`, '4', w.bits);
  for (const key of ['K', 'N'] as const) {
    if (!Number.isSafeInteger(w[key]) || w[key] <= 0) throw invalid('ERR_QUANTA_INVALID_SHAPE', `${name}.${key}`, 'a positive integer', w[key]);
  }
  const bs = w.blockSize;
  if (!Number.isInteger(bs) || bs < 16 || (bs & (bs - 1)) !== 0) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', `${name}.blockSize`, 'a power of 2, at least 16', bs);
  }
  const kBlocks = Math.ceil(w.K / bs);
  checkLength(`${name}.B.data`, w.B?.data, Uint8Array, w.N * kBlocks * (bs / 2));
  checkLength(`${name}.scales.data`, w.scales?.data, Float32Array, w.N * kBlocks);
  if (w.zeroPoints !== undefined) checkLength(`${name}.zeroPoints.data`, w.zeroPoints.data, Uint8Array, w.N * Math.ceil(kBlocks / 2));
  return kBlocks;
}

/** The zero point of (column n, k-block kb): packed nibble, or 8 when there are none. */
export function zeroPointOf(zp: Uint8Array | undefined, n: number, kb: number, kBlocks: number): number {
  if (zp === undefined) return 8;
  return (zp[n * Math.ceil(kBlocks / 2) + (kb >> 1)]! >> ((kb & 1) * 4)) & 0x0f;
}

/**
 * Float32 weights of a MatMulNBits weight, as onnxruntime's MLAS BlockwiseQuantizer::dequantize
 * (onnxruntime/core/mlas/lib/q4_dq.cpp) computes them: (nibble - zero point) * scale in float32.
 * Returned as [K, N] (default) or [N, K] with { weightLayout: 'NK' }; padding is dropped.
 */
export function dequantizeMatMulNBits(w: MatMulNBitsWeight, options: WeightLayoutOptions = {}): Float32Tensor {
  const layout = readLayout(options);
  const kBlocks = checkMatMulNBits(w, 'w');
  const { K, N, blockSize } = w;
  const y = new Float32Array(K * N);
  const row = kBlocks * (blockSize / 2);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const kb = Math.floor(k / blockSize);
      const nibble = (w.B.data[n * row + (k >> 1)]! >> ((k & 1) * 4)) & 0x0f;
      const v = (nibble - zeroPointOf(w.zeroPoints?.data, n, kb, kBlocks)) * w.scales.data[n * kBlocks + kb]!;
      y[layout === 'KN' ? k * N + n : n * K + k] = v;
    }
  }
  return float32Tensor(y, layout === 'KN' ? [K, N] : [N, K]);
}
