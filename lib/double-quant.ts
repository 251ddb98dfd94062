/**
 * Double quantization of group scales (bitsandbytes "compress_statistics", the nested
 * quantization of QLoRA): the float32 scales of a group-quantized tensor are stored as 8-bit
 * codes plus one float32 absmax per block of 256 scales and one float32 offset.
 *
 * Reference followed, step for step (bitsandbytes/functional.py quantize_4bit with
 * compress_statistics=True, and bitsandbytes/backends/default/ops.py quantize_blockwise /
 * dequantize_blockwise, the pure-PyTorch backend), all arithmetic in float32:
 *   offset      = mean(scales)
 *   d[i]        = scales[i] - offset
 *   absmax[b]   = max |d[i]| over block b (blocks of 256, the last may be partial)
 *   codes[i]    = argmin_j |clamp(d[i] * (1 / absmax[b]), -1, 1) - MAP[j]|, the lowest j on ties
 *                 (an all-zero block gives 0 * inf = NaN, and PyTorch's argmin then returns 0)
 *   scales'[i]  = MAP[codes[i]] * absmax[b] + offset
 * MAP is bitsandbytes' signed 8-bit dynamic map, create_dynamic_map(signed=True,
 * max_exponent_bits=7, total_bits=8), exactly as PyTorch 1.13.1 computes it (its values depend on
 * torch.linspace's rounding). One documented difference: bitsandbytes takes the mean with
 * PyTorch's float32 summation; here it is summed in float64 and rounded once to float32, so the
 * offset can differ from bitsandbytes' in the last bit (everything after it is bit-exact).
 * test/fixtures/double-quant/bnb.json (scripts/fixtures/bnb_double_quant.py) holds vectors made
 * with PyTorch for the tests.
 *
 * Scales that span many orders of magnitude do not survive 8 bits: a small scale in a block with
 * a large one can come back as zero or negative (bitsandbytes has the same limit). The helpers for
 * QuantizedTensor refuse such a result instead of flipping the sign of a group.
 */
import { QuantaError, invalid } from './errors';
import type { QuantizedTensor } from './tensor';

const f = Math.fround;

// create_dynamic_map() of bitsandbytes under PyTorch 1.13.1: 256 float32 values, ascending.
const DYNAMIC_MAP = Float32Array.from([
  -0.99296874, -0.9789062, -0.96484375, -0.9507812, -0.9367187, -0.92265624, -0.9085938, -0.89453125,
  -0.8804687, -0.8664062, -0.85234374, -0.8382812, -0.82421875, -0.8101562, -0.7960937, -0.78203124,
  -0.7679688, -0.75390625, -0.7398438, -0.72578126, -0.7117188, -0.6976563, -0.68359375, -0.6695313,
  -0.65546876, -0.64140624, -0.6273438, -0.61328125, -0.5992187, -0.58515626, -0.5710938, -0.5570313,
  -0.54296875, -0.5289062, -0.51484376, -0.50078124, -0.48671877, -0.47265625, -0.45859373, -0.44453126,
  -0.43046874, -0.4164062, -0.40234375, -0.38828123, -0.37421876, -0.36015624, -0.3460937, -0.33203125,
  -0.31796873, -0.30390626, -0.28984374, -0.27578127, -0.26171875, -0.24765626, -0.23359376, -0.21953125,
  -0.20546874, -0.19140625, -0.17734374, -0.16328125, -0.14921875, -0.13515624, -0.12109375, -0.107031256,
  -0.09859375, -0.095781244, -0.092968754, -0.09015625, -0.08734375, -0.08453125, -0.08171874, -0.07890625,
  -0.07609375, -0.07328125, -0.070468746, -0.067656256, -0.06484375, -0.062031247, -0.059218753, -0.05640625,
  -0.05359375, -0.05078125, -0.04796875, -0.04515625, -0.042343747, -0.03953125, -0.036718752, -0.033906247,
  -0.03109375, -0.028281247, -0.02546875, -0.02265625, -0.01984375, -0.01703125, -0.01421875, -0.01140625,
  -0.00971875, -0.009156249, -0.00859375, -0.00803125, -0.00746875, -0.00690625, -0.00634375, -0.00578125,
  -0.0052187503, -0.0046562497, -0.00409375, -0.0035312497, -0.00296875, -0.00240625, -0.00184375, -0.0012812499,
  -9.437501e-04, -8.3125e-04, -7.1875006e-04, -6.062501e-04, -4.9375003e-04, -3.8125002e-04, -2.6875004e-04, -1.5625001e-04,
  -8.875e-05, -6.625e-05, -4.375e-05, -2.1249998e-05, -7.75e-06, -3.2500002e-06, -5.5000004e-07, 0,
  5.5000004e-07, 3.2500002e-06, 7.75e-06, 2.1249998e-05, 4.375e-05, 6.625e-05, 8.875e-05, 1.5625001e-04,
  2.6875004e-04, 3.8125002e-04, 4.9375003e-04, 6.062501e-04, 7.1875006e-04, 8.3125e-04, 9.437501e-04, 0.0012812499,
  0.00184375, 0.00240625, 0.00296875, 0.0035312497, 0.00409375, 0.0046562497, 0.0052187503, 0.00578125,
  0.00634375, 0.00690625, 0.00746875, 0.00803125, 0.00859375, 0.009156249, 0.00971875, 0.01140625,
  0.01421875, 0.01703125, 0.01984375, 0.02265625, 0.02546875, 0.028281247, 0.03109375, 0.033906247,
  0.036718752, 0.03953125, 0.042343747, 0.04515625, 0.04796875, 0.05078125, 0.05359375, 0.05640625,
  0.059218753, 0.062031247, 0.06484375, 0.067656256, 0.070468746, 0.07328125, 0.07609375, 0.07890625,
  0.08171874, 0.08453125, 0.08734375, 0.09015625, 0.092968754, 0.095781244, 0.09859375, 0.107031256,
  0.12109375, 0.13515624, 0.14921875, 0.16328125, 0.17734374, 0.19140625, 0.20546874, 0.21953125,
  0.23359376, 0.24765626, 0.26171875, 0.27578127, 0.28984374, 0.30390626, 0.31796873, 0.33203125,
  0.3460937, 0.36015624, 0.37421876, 0.38828123, 0.40234375, 0.4164062, 0.43046874, 0.44453126,
  0.45859373, 0.47265625, 0.48671877, 0.50078124, 0.51484376, 0.5289062, 0.54296875, 0.5570313,
  0.5710938, 0.58515626, 0.5992187, 0.61328125, 0.6273438, 0.64140624, 0.65546876, 0.6695313,
  0.68359375, 0.6976563, 0.7117188, 0.72578126, 0.7398438, 0.75390625, 0.7679688, 0.78203124,
  0.7960937, 0.8101562, 0.82421875, 0.8382812, 0.85234374, 0.8664062, 0.8804687, 0.89453125,
  0.9085938, 0.92265624, 0.9367187, 0.9507812, 0.96484375, 0.9789062, 0.99296874, 1,
]);

/** bitsandbytes' signed 8-bit dynamic map (a copy): 256 ascending float32 values in [-0.993, 1]. */
export function bitsandbytesDynamicMap(): Float32Array {
  return DYNAMIC_MAP.slice();
}

export const DOUBLE_QUANT_BLOCK_SIZE = 256;

/** Double-quantized scales: everything needed to rebuild them. */
export interface DoubleQuantizedScales {
  scheme: 'bitsandbytes';
  /** How many scales were compressed. */
  count: number;
  /** Scales per absmax block (bitsandbytes: 256). */
  blockSize: number;
  /** float32 mean subtracted before quantizing. */
  offset: number;
  /** One 8-bit index into the dynamic map per scale. */
  codes: Uint8Array;
  /** One float32 absmax per block of blockSize scales. */
  absmax: Float32Array;
}

export interface DoubleQuantizeOptions {
  /** Scales per absmax block; default 256 as bitsandbytes. */
  blockSize?: number;
}

export interface DoubleQuantizeResult {
  compressed: DoubleQuantizedScales;
  /** The scales as dequantizeScales(compressed) rebuilds them. */
  reconstructed: Float32Array;
}

function readScaleArray(scales: unknown, name: string): Float32Array {
  if (!(scales instanceof Float32Array)) throw invalid('ERR_QUANTA_INVALID_DTYPE', name, 'a Float32Array', scales);
  for (let i = 0; i < scales.length; i++) {
    if (!Number.isFinite(scales[i]!)) throw new QuantaError('ERR_QUANTA_NON_FINITE', `${name}[${i}] is ${scales[i]}: only finite scales can be double-quantized`);
  }
  return scales;
}

/** The lowest index j minimising f(|v - MAP[j]|) (PyTorch argmin over float32 distances). */
function nearestCode(v: number): number {
  if (Number.isNaN(v)) return 0;
  let lo = 0;
  let hi = 256;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (DYNAMIC_MAP[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  // The exact nearest is lo - 1 or lo; rounded distances can tie with neighbours to the left.
  const dist = (j: number) => Math.abs(f(v - DYNAMIC_MAP[j]!));
  let best = Math.min(lo, 255);
  if (lo > 0 && dist(lo - 1) <= dist(best)) best = lo - 1;
  while (best > 0 && dist(best - 1) === dist(best)) best--;
  return best;
}

/** Compresses float32 scales to 8-bit codes, per-block absmax and an offset (bitsandbytes). */
export function doubleQuantizeScales(scales: unknown, options: DoubleQuantizeOptions = {}): DoubleQuantizeResult {
  const s = readScaleArray(scales, 'scales');
  const blockSize = options.blockSize ?? DOUBLE_QUANT_BLOCK_SIZE;
  if (!Number.isSafeInteger(blockSize) || blockSize < 1) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'blockSize', 'a positive integer', blockSize);
  }
  const n = s.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i]!;
  const offset = n === 0 ? 0 : f(sum / n);
  const blocks = Math.ceil(n / blockSize);
  const codes = new Uint8Array(n);
  const absmax = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const begin = b * blockSize;
    const end = Math.min(n, begin + blockSize);
    let m = 0;
    for (let i = begin; i < end; i++) m = Math.max(m, Math.abs(f(s[i]! - offset)));
    absmax[b] = m;
    const inv = f(1 / m);
    for (let i = begin; i < end; i++) {
      const scaled = f(f(s[i]! - offset) * inv);
      codes[i] = nearestCode(Math.min(1, Math.max(-1, scaled)));
    }
  }
  const compressed: DoubleQuantizedScales = { scheme: 'bitsandbytes', count: n, blockSize, offset, codes, absmax };
  return { compressed, reconstructed: dequantizeScales(compressed) };
}

/** Rebuilds float32 scales: MAP[code] * absmax[block] + offset, in float32 as bitsandbytes. */
export function dequantizeScales(compressed: DoubleQuantizedScales): Float32Array {
  const c = compressed as Partial<DoubleQuantizedScales> | null;
  if (typeof c !== 'object' || c === null || c.scheme !== 'bitsandbytes') {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'compressed', "double-quantized scales (scheme 'bitsandbytes')", compressed);
  }
  const { count, blockSize, offset, codes, absmax } = c as DoubleQuantizedScales;
  if (!Number.isSafeInteger(count) || count < 0) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'compressed.count', 'a non-negative integer', count);
  if (!Number.isSafeInteger(blockSize) || blockSize < 1) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'compressed.blockSize', 'a positive integer', blockSize);
  if (typeof offset !== 'number' || !Number.isFinite(offset)) throw invalid('ERR_QUANTA_NON_FINITE', 'compressed.offset', 'a finite number', offset);
  if (!(codes instanceof Uint8Array) || codes.length !== count) {
    throw invalid('ERR_QUANTA_INVALID_SHAPE', 'compressed.codes', `a Uint8Array of ${count} codes`, codes);
  }
  const blocks = Math.ceil(count / blockSize);
  if (!(absmax instanceof Float32Array) || absmax.length !== blocks) {
    throw invalid('ERR_QUANTA_INVALID_SHAPE', 'compressed.absmax', `a Float32Array of ${blocks} values`, absmax);
  }
  const off = f(offset);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = f(f(DYNAMIC_MAP[codes[i]!]! * absmax[Math.floor(i / blockSize)]!) + off);
  return out;
}

/** A QuantizedTensor whose scales are stored double-quantized. */
export type DoubleQuantizedTensor = Omit<QuantizedTensor, 'scale'> & { scale: DoubleQuantizedScales };

function checkPositive(original: Float32Array, rebuilt: Float32Array): void {
  for (let i = 0; i < rebuilt.length; i++) {
    if (!(rebuilt[i]! > 0) || !Number.isFinite(rebuilt[i]!)) {
      throw new QuantaError(
        'ERR_QUANTA_INVALID_SCALE',
        `scale[${i}] = ${original[i]} comes back as ${rebuilt[i]} after 8-bit double quantization: ` +
          'the scales span too many orders of magnitude for it; keep them in float32',
      );
    }
  }
}

/**
 * Replaces a QuantizedTensor's float32 scales with their double-quantized form (the codes and
 * zero points are kept). Throws ERR_QUANTA_INVALID_SCALE when a rebuilt scale would not be a
 * positive finite number.
 */
export function compressScales(q: QuantizedTensor, options: DoubleQuantizeOptions = {}): DoubleQuantizedTensor {
  if (typeof q !== 'object' || q === null) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'q', 'a QuantizedTensor', q);
  const original = readScaleArray(q.scale, 'q.scale');
  const { compressed, reconstructed } = doubleQuantizeScales(original, options);
  checkPositive(original, reconstructed);
  return { ...q, scale: compressed };
}

/** The QuantizedTensor with rebuilt float32 scales, ready for dequantizeLinear. */
export function decompressScales(q: DoubleQuantizedTensor): QuantizedTensor {
  if (typeof q !== 'object' || q === null) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'q', 'a DoubleQuantizedTensor', q);
  const scale = dequantizeScales(q.scale);
  checkPositive(scale, scale);
  return { ...q, scale };
}
