/**
 * Conversion between float32 and the small OCP float formats (FP8 E4M3FN, FP8 E5M2, FP4 E2M1),
 * following the ONNX Cast table (opset 19 for float8, opset 23 for float4e2m1): round to nearest,
 * ties to even; with saturation a value whose rounding lies past the largest finite value, and
 * +-Inf, become +-max; without it they become the format's overflow code (NaN for E4M3FN, which
 * has no infinity, +-Inf for E5M2). NaN becomes the format's NaN code.
 *
 * The rounding works on the table of the format's positive values rather than on bit fields:
 * every value and every midpoint between neighbours is exact in a double, so comparing the
 * (exact) float32 input against the midpoints gives the correctly rounded code, subnormals and
 * ties included, with no special cases to get wrong.
 */

export interface MinifloatSpec {
  readonly name: string;
  /** Where the sign bit sits: 0x80 for 8-bit formats, 0x8 for 4-bit ones. */
  readonly signBit: number;
  /** The largest finite positive code; codes 0..maxCode hold ascending values. */
  readonly maxCode: number;
  /** Code (without sign) for an overflow when not saturating; null: the format always saturates. */
  readonly overflowCode: number | null;
  /** Code for NaN (without sign). */
  readonly nanCode: number;
  /** Whether NaN keeps its sign bit (FP8 does; ONNX maps every NaN to +6 for FP4). */
  readonly nanSigned: boolean;
  /** The value of every code (NaN for NaN codes), 2^bits entries. */
  readonly values: Float64Array;
  /** values[0..maxCode]. */
  readonly positive: Float64Array;
  /** midpoints[i] = (values[i] + values[i + 1]) / 2, exact. */
  readonly midpoints: Float64Array;
  /** max + half an ulp of max: magnitudes at or past it round beyond max. */
  readonly overflowAt: number;
}

interface Layout {
  name: string;
  exponentBits: number;
  mantissaBits: number;
  bias: number;
  maxCode: number;
  overflowCode: number | null;
  nanCode: number;
  nanSigned: boolean;
  /** Whether a code (without sign) is NaN / +Inf. */
  isNaN: (code: number) => boolean;
  isInf: (code: number) => boolean;
}

function buildSpec(l: Layout): MinifloatSpec {
  const bits = 1 + l.exponentBits + l.mantissaBits;
  const signBit = 1 << (bits - 1);
  const values = new Float64Array(1 << bits);
  const mantissaMask = (1 << l.mantissaBits) - 1;
  for (let code = 0; code < values.length; code++) {
    const p = code & (signBit - 1);
    const sign = code & signBit ? -1 : 1;
    const e = p >> l.mantissaBits;
    const m = p & mantissaMask;
    let v: number;
    if (l.isNaN(p)) v = NaN;
    else if (l.isInf(p)) v = Infinity;
    else if (e === 0) v = m * 2 ** (1 - l.bias - l.mantissaBits);
    else v = (1 + m / 2 ** l.mantissaBits) * 2 ** (e - l.bias);
    values[code] = sign * v;
  }
  const positive = values.slice(0, l.maxCode + 1);
  const midpoints = new Float64Array(l.maxCode);
  for (let i = 0; i < l.maxCode; i++) midpoints[i] = (positive[i]! + positive[i + 1]!) / 2;
  const max = positive[l.maxCode]!;
  const overflowAt = max + (max - positive[l.maxCode - 1]!) / 2;
  return {
    name: l.name, signBit, maxCode: l.maxCode, overflowCode: l.overflowCode, nanCode: l.nanCode,
    nanSigned: l.nanSigned, values, positive, midpoints, overflowAt,
  };
}

/** FP8 E4M3FN: bias 7, no infinities, S.1111.111 is NaN, max 448 (0x7E). */
export const FLOAT8E4M3FN = buildSpec({
  name: 'float8e4m3fn', exponentBits: 4, mantissaBits: 3, bias: 7, maxCode: 0x7e,
  overflowCode: 0x7f, nanCode: 0x7f, nanSigned: true,
  isNaN: (p) => p === 0x7f, isInf: () => false,
});

/** FP8 E5M2: bias 15, IEEE-like: S.11111.00 is Inf, S.11111.xx NaN, max 57344 (0x7B). */
export const FLOAT8E5M2 = buildSpec({
  name: 'float8e5m2', exponentBits: 5, mantissaBits: 2, bias: 15, maxCode: 0x7b,
  overflowCode: 0x7c, nanCode: 0x7f, nanSigned: true,
  isNaN: (p) => p > 0x7c, isInf: (p) => p === 0x7c,
});

/** FP4 E2M1: bias 1, values {0, 0.5, 1, 1.5, 2, 3, 4, 6}, no Inf or NaN; always saturates. */
export const FLOAT4E2M1 = buildSpec({
  name: 'float4e2m1', exponentBits: 2, mantissaBits: 1, bias: 1, maxCode: 0x7,
  overflowCode: null, nanCode: 0x7, nanSigned: false,
  isNaN: () => false, isInf: () => false,
});

/**
 * The code of a magnitude `a` (>= 0, not NaN): round to nearest, ties to the even code (the
 * code's lowest bit is the mantissa's). Returns -1 when the rounded value lies past max.
 */
export function encodeMagnitude(spec: MinifloatSpec, a: number): number {
  const { positive, midpoints, maxCode } = spec;
  if (a >= spec.overflowAt) {
    // Exactly half way past max rounds to the even neighbour: max itself when its code is even.
    return a === spec.overflowAt && (maxCode & 1) === 0 ? maxCode : -1;
  }
  if (a >= positive[maxCode]!) return maxCode;
  // Largest i with positive[i] <= a.
  let lo = 0;
  let hi = maxCode;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (positive[mid]! <= a) lo = mid;
    else hi = mid;
  }
  const m = midpoints[lo]!;
  if (a < m) return lo;
  if (a > m) return lo + 1;
  return lo & 1 ? lo + 1 : lo;
}

/**
 * The code of one value. `negative` is the input's sign bit (it decides -0 and the sign of NaN,
 * which a JS number cannot carry).
 */
export function encodeValue(spec: MinifloatSpec, v: number, negative: boolean, saturate: boolean): number {
  const sign = negative ? spec.signBit : 0;
  if (Number.isNaN(v)) return spec.nanCode | (spec.nanSigned ? sign : 0);
  const code = encodeMagnitude(spec, Math.abs(v));
  if (code >= 0) return code | sign;
  if (saturate || spec.overflowCode === null) return spec.maxCode | sign;
  return spec.overflowCode | sign;
}

/** Sign bits of a Float32Array, read from its raw bits so that -0 and -NaN keep their sign. */
export function signBits(data: Float32Array): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, data.length);
}
