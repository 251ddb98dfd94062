/**
 * fakeQuantize(): PyTorch's fake_quantize_per_tensor_affine / fake_quantize_per_channel_affine on
 * CPU, bit for bit, with the straight-through gradient mask that the backward pass multiplies by
 * (the building block of quantization-aware training).
 *
 * PyTorch's CPU kernels (aten/src/ATen/native/quantized/cpu/kernels/QuantizedOpKernels.cpp,
 * _fake_quantize_tensor_helper and _fake_quant_per_channel_cachemask_cpu_helper) are scalar
 * loops, all in float32 and without a fused multiply-add:
 *   inv   = 1.0f / scale                     (a float32 reciprocal: x is multiplied, not divided)
 *   qf    = float(zp) + nearbyint(x * inv)   (float32 product, round half to even, float32 sum)
 *   mask  = quant_min <= qf && qf <= quant_max
 *   out   = float(clamp(qf) - zp) * scale
 * Each float32 step is emulated exactly: a float32 product or sum computed in float64 and rounded
 * once with Math.fround is the correctly rounded float32 result (a product of two float32 values
 * is exact in float64; for sums float64 has more than 2 * 24 + 2 bits, so rounding twice is
 * harmless). Ranges are limited to |q| <= 2^24 so that every integer involved is exact in float32.
 *
 * Special values follow current PyTorch's per-tensor kernel: NaN gives quant_min (fmax(NaN, qmin)
 * is qmin), +Inf and values past the range saturate to quant_max, -Inf to quant_min, and the mask
 * is 0 for all of them. Older PyTorch (1.13 per tensor) and the per-channel kernel of every version
 * convert qf to int64 first, which is undefined for NaN and |qf| >= 2^63; on x86 it yields INT64_MIN,
 * so +Inf and huge positive values come out as quant_min there. quanta keeps the defined
 * saturation rule for both layouts (test/conformance/torch.test.ts pins the difference).
 */
import { QuantaError, invalid } from './errors';
import type { Float32Tensor } from './tensor';
import { float32Tensor, normalizeAxis, splitAt, viewFloat32 } from './tensor';

export interface FakeQuantizeOptions {
  /** Smallest code, e.g. -128 (qint8) or 0 (quint8). */
  quantMin: number;
  /** Largest code, e.g. 127 or 255. */
  quantMax: number;
  /** Per channel along this axis: one scale and zero point per index (negative counts from the end). */
  axis?: number;
}

export interface FakeQuantizeResult {
  /** x quantized and dequantized again, same dims as x. */
  output: Float32Tensor;
  /** 1 where the gradient passes (x's code lies within [quantMin, quantMax]), else 0. */
  mask: Uint8Array;
}

/** Codes beyond this lose exactness in float32 (see the module comment). */
const MAX_CODE = 2 ** 24;

const f32 = Math.fround;

/** nearbyint in the default rounding mode: half to even; keeps -0, NaN and infinities. */
function nearbyint(v: number): number {
  const r = Math.round(v);
  // Math.round rounds halves up; move the odd ones back down to the even neighbour.
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function readCode(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > MAX_CODE) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, `an integer in [${-MAX_CODE}, ${MAX_CODE}]`, value);
  }
  return value;
}

function toList(value: unknown, name: string): ArrayLike<number> {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) return value as ArrayLike<number>;
  throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, 'a number, number[] or TypedArray', value);
}

/** Scales as PyTorch sees them (float32), each finite and > 0 after that rounding. */
function readScales(value: unknown, count: number): Float32Array {
  const list = toList(value, 'scale');
  if (list.length !== count) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `scale must have ${count} element(s), received ${list.length}`);
  }
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const s = f32(list[i]!);
    if (!(s > 0) || !Number.isFinite(s)) {
      const name = count > 1 ? `scale[${i}]` : 'scale';
      throw invalid('ERR_QUANTA_INVALID_SCALE', name, 'a finite number > 0 (as float32)', list[i]);
    }
    out[i] = s;
  }
  return out;
}

function readZeroPoints(value: unknown, count: number, quantMin: number, quantMax: number): Int32Array {
  const list = toList(value, 'zeroPoint');
  if (list.length !== count) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `zeroPoint must have ${count} element(s), received ${list.length}`);
  }
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const z = list[i]!;
    // PyTorch rejects a zero point outside [quant_min, quant_max] too.
    if (!Number.isInteger(z) || z < quantMin || z > quantMax) {
      throw invalid('ERR_QUANTA_INVALID_ZERO_POINT', count > 1 ? `zeroPoint[${i}]` : 'zeroPoint', `an integer in [${quantMin}, ${quantMax}]`, z);
    }
    out[i] = z;
  }
  return out;
}

/**
 * Fake-quantizes float32 `x` per tensor (one scale and zero point) or, with `axis`, per channel,
 * as PyTorch does on CPU. Returns the output and the gradient mask; nothing is written into x.
 */
export function fakeQuantize(
  x: unknown,
  scale: number | ArrayLike<number>,
  zeroPoint: number | ArrayLike<number>,
  options: FakeQuantizeOptions,
): FakeQuantizeResult {
  const input = viewFloat32(x, 'x');
  if (typeof options !== 'object' || options === null) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options', 'an object with quantMin and quantMax', options);
  }
  const quantMin = readCode(options.quantMin, 'options.quantMin');
  const quantMax = readCode(options.quantMax, 'options.quantMax');
  if (quantMin > quantMax || quantMax - quantMin > MAX_CODE) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.quantMin..quantMax', `a range with quantMin <= quantMax spanning at most ${MAX_CODE}`, `[${quantMin}, ${quantMax}]`);
  }
  const { data, dims } = input;
  let outer = 1;
  let channels = 1;
  let inner = data.length;
  if (options.axis !== undefined) {
    const axis = normalizeAxis(options.axis, dims.length, 'options.axis');
    [outer, channels, inner] = splitAt(dims, axis);
  }
  const scales = readScales(scale, channels);
  const zps = readZeroPoints(zeroPoint, channels, quantMin, quantMax);

  const out = new Float32Array(data.length);
  const mask = new Uint8Array(data.length);
  let i = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const s = scales[c]!;
      const zp = zps[c]!;
      const inv = f32(1 / s);
      for (let k = 0; k < inner; k++, i++) {
        const qf = f32(zp + nearbyint(f32(data[i]! * inv)));
        // NaN fails both comparisons: masked out and clamped to quantMin, as fmax(NaN, qmin) is.
        const inRange = quantMin <= qf && qf <= quantMax;
        const q = inRange ? qf : qf > quantMax ? quantMax : quantMin;
        mask[i] = inRange ? 1 : 0;
        // `+ 0` turns the -0 an integer difference can never be into +0.
        out[i] = f32((q - zp + 0) * s);
      }
    }
  }
  return { output: float32Tensor(out, dims), mask };
}
