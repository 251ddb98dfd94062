/**
 * onnxruntime's blockwise 4-bit quantizer for MatMulNBits, as its Python tool runs it
 * (onnxruntime/python/tools/quantization/matmul_nbits_quantizer.py: DefaultWeightOnlyQuantizer
 * -> quantize_matmul_4bits -> MlasQuantizeBlockwise<float, 4> with columnwise = true, i.e.
 * BlockwiseQuantizer<float, blockSize, 4, true>::quantizeAndTranspose in
 * onnxruntime/core/mlas/lib/q4_dq.cpp), reproduced in float32 arithmetic step for step. It
 * follows the current quantizeAndTranspose, which fills both per-pair zero-point slots with 8
 * (std::fill_n); older releases initialized them as `{kMid}`, i.e. 8 then 0, which quantized
 * every odd k-block of a symmetric weight with zero point 0 and left 0 in an unused zero-point
 * nibble. Those versions' bytes differ from these.
 */
import { QuantaError, invalid } from '../errors';
import { viewFloat32 } from '../tensor';
import { castToInt8, roundHalfAway } from './float32';
import type { MatMulNBitsWeight, WeightLayoutOptions } from './matmul-nbits';
import { readLayout } from './matmul-nbits';

export interface QuantizeMatMulNBitsOptions extends WeightLayoutOptions {
  /** Values per block along K: 16, 32, 64, 128 or 256 (what MLAS implements). Default 128, as ORT's tool. */
  blockSize?: number;
  /** Symmetric (zero point 8, no zero_points input) or asymmetric. Default false, as ORT's tool. */
  symmetric?: boolean;
}

const FLT_MAX = 3.4028234663852886e38;

/** MLAS range2scale: the signed end of larger magnitude (min on a tie) over -8. */
function symmetricScale(min: number, max: number): number {
  const m = Math.abs(max) > Math.abs(min) ? max : min;
  return Math.fround(-m / 8);
}

/** MLAS range2scalezp: [min(min, 0), max(max, 0)] over 15 levels, zp = roundf(-min / scale) in [0, 15]. */
function asymmetricScale(min: number, max: number): [number, number] {
  const lo = 0 < min ? 0 : min; // std::min(min, 0.0f)
  const hi = max < 0 ? 0 : max; // std::max(max, 0.0f)
  const scale = Math.fround(Math.fround(hi - lo) / 15);
  let zpFloat = lo;
  if (scale !== 0) zpFloat = Math.fround(0 - Math.fround(lo / scale));
  const zp = zpFloat < 0 ? 0 : zpFloat > 15 ? 15 : roundHalfAway(zpFloat);
  return [scale, zp];
}

/** (uint8_t)std::clamp(roundf(v * reciprocal_scale + zp), 0.0f, 15.0f); NaN casts to 0 on x86. */
function code(v: number, reciprocal: number, zp: number): number {
  const r = roundHalfAway(Math.fround(Math.fround(v * reciprocal) + zp));
  return castToInt8(r < 0 ? 0 : r > 15 ? 15 : r) & 0x0f;
}

/**
 * Quantizes a float32 MatMul weight to MatMulNBits (4 bits), bit for bit as onnxruntime's
 * quantizer: per column n and block of blockSize values along K, min and max over the block's
 * real values (padding rows are not read: the tool passes the unpadded K); symmetric: scale =
 * (max if |max| > |min| else min) / -8, zero point 8 and no zero_points tensor; asymmetric:
 * scale = (max(max, 0) - min(min, 0)) / 15, zp = roundf(-min / scale) clamped to [0, 15]; codes
 * are clamp(roundf(x * (1 / scale) + zp), 0, 15) with roundf's halfway-away-from-zero. Padding
 * nibbles past K are 0 except one MLAS quirk kept for byte equality: when K is odd, the high
 * nibble of the last byte repeats the code of value K - 2 (MLAS reuses its pair buffer) unless
 * K - 1 starts a pair of blocks. A packed zero point with no block of its own is 8.
 * Input: float32 [K, N] (default) or [N, K] with { weightLayout: 'NK' }; values must be finite.
 */
export function quantizeMatMulNBits(weight: unknown, options: QuantizeMatMulNBitsOptions = {}): MatMulNBitsWeight {
  const layout = readLayout(options);
  const { data, dims } = viewFloat32(weight, 'weight');
  if (dims.length !== 2) throw invalid('ERR_QUANTA_INVALID_SHAPE', 'weight.dims', `two dimensions (${layout === 'KN' ? '[K, N]' : '[N, K]'})`, `[${dims.join(', ')}]`);
  const [K, N] = layout === 'KN' ? [dims[0]!, dims[1]!] : [dims[1]!, dims[0]!];
  if (K === 0 || N === 0) throw new QuantaError('ERR_QUANTA_EMPTY_TENSOR', `weight must not be empty, received dims [${dims.join(', ')}]`);
  const blockSize = options.blockSize ?? 128;
  if (![16, 32, 64, 128, 256].includes(blockSize)) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'blockSize', 'one of 16, 32, 64, 128, 256', blockSize);
  const symmetric = options.symmetric ?? false;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new QuantaError('ERR_QUANTA_NON_FINITE', `weight[${i}] must be finite, received ${data[i]}`);
  }
  const at = layout === 'KN' ? (k: number, n: number) => data[k * N + n]! : (k: number, n: number) => data[n * K + k]!;

  const kBlocks = Math.ceil(K / blockSize);
  const row = kBlocks * (blockSize / 2);
  const zpRow = Math.ceil(kBlocks / 2);
  const B = new Uint8Array(N * row);
  const scales = new Float32Array(N * kBlocks);
  const zeroPoints = symmetric ? undefined : new Uint8Array(N * zpRow).fill(0x88);
  for (let n = 0; n < N; n++) {
    for (let kb = 0; kb < kBlocks; kb++) {
      const start = kb * blockSize;
      const end = Math.min(start + blockSize, K);
      let min = FLT_MAX;
      let max = -FLT_MAX;
      for (let k = start; k < end; k++) {
        const v = at(k, n);
        if (v < min) min = v;
        if (v > max) max = v;
      }
      let scale: number;
      let zp = 8;
      if (symmetric) scale = symmetricScale(min, max);
      else {
        [scale, zp] = asymmetricScale(min, max);
        const z = n * zpRow + (kb >> 1);
        zeroPoints![z] = kb & 1 ? (zeroPoints![z]! & 0x0f) | (zp << 4) : (zeroPoints![z]! & 0xf0) | zp;
      }
      scales[n * kBlocks + kb] = scale;
      const reciprocal = scale !== 0 ? Math.fround(1 / scale) : 0;
      for (let k = start; k < end; k++) B[n * row + (k >> 1)]! |= code(at(k, n), reciprocal, zp) << ((k & 1) * 4);
    }
    // MLAS packs pairs through one buffer per two blocks; an odd K's last pair keeps its stale half.
    if (K % 2 === 1 && (K - 1) % (2 * blockSize) !== 0) B[n * row + ((K - 1) >> 1)]! |= B[n * row + ((K - 2) >> 1)]! & 0xf0;
  }
  return {
    K, N, bits: 4, blockSize,
    B: { type: 'uint8', data: B, dims: [N, kBlocks, blockSize / 2] },
    scales: { type: 'float32', data: scales, dims: [N, kBlocks] },
    ...(zeroPoints ? { zeroPoints: { type: 'uint8' as const, data: zeroPoints, dims: [N, zpRow] as [number, number] } } : {}),
  };
}
