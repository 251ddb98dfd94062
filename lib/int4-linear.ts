/**
 * The int4 weight-only linear layer: 4-bit weights in groups along K (32, 64 or 128 values per
 * group, float32 scales, zero points or none), packed once, then
 *
 *   y[m, n] = sum_k x[m, k] * (u[n, k] - z[n, g]) * s[n, g]  (+ bias[n]),   g = floor(k / G)
 *
 * with one of two activation paths:
 * - 'float32': the nibbles are dequantized on the fly and multiplied with x in float32 (FMA);
 * - 'int8': each row of x is quantized per weight group (symmetric int8, d = amax / 127, round
 *   half to even), the group dots are exact int32 sums (VPDPBUSD on the raw nibbles, the zero
 *   point removed with the group's code sum), scaled by s * d. Faster (it reads the same bytes but
 *   does a quarter of the arithmetic), less accurate.
 * Both give the same float32 bits on every kernel path and thread count (native/include/quanta/
 * int4_gemm.h fixes the order of every float operation).
 *
 * Error against a float64 product of x and the dequantized weights, checked on every output by
 * test/int4-linear.test.ts (x and the weights random normal, K = 1024, 64 x 96 outputs):
 * - float32: |y - y64| <= (G + groups + 2) * 2^-23 * (|bias| + sum_k |x w|) (each group's FMA
 *   chain, the chain over the groups, the bias add; a loose form of the usual gamma_n bound);
 *   measured relative RMS error 1.4e-7 (G = 32), 1.6e-7 (G = 64), 2.0e-7 (G = 128).
 * - int8: adds the activation rounding, |x - q d| <= d / 2 per element:
 *   |y - y64| <= sum_g (d_g / 2) * sum_{k in g} |w_k| + the float32 term above (with |x| + d / 2
 *   in place of |x|); measured relative RMS error 5.2e-3 (G = 32), 5.9e-3 (G = 64, uint4 with
 *   zero points), 6.5e-3 (G = 128).
 * Sources, all packed without going through float weights: quanta int4 / uint4 group tensors
 * (`packInt4Weights`, double-quantized scales accepted: expanded to float32 at pack time, the
 * kernels read float32 scales), ggml Q4_0 blocks (`packInt4FromQ4_0`) and onnxruntime
 * MatMulNBits tensors (`packInt4FromMatMulNBits`). The same weights from any of them pack to
 * the same bytes.
 */
import { productOutput } from './buffers';
import type { DoubleQuantizedTensor } from './double-quant';
import { decompressScales } from './double-quant';
import { QuantaError, describe, invalid } from './errors';
import type { PreparedCall } from './gemm';
import { runAsync, runSync } from './gemm';
import type { GgmlTensor } from './ggml/blocks';
import { GGML_BLOCK_VALUES, GGML_Q4_0_BLOCK_BYTES } from './ggml/blocks';
import { fp16BitsToFp32 } from './ggml/fp16';
import { q4_0ToMatMulNBits } from './ggml/q4_0-matmul-nbits';
import { callNative } from './native';
import { readBias } from './ops/scalars';
import type { IsaName } from './probe';
import { assertIsaName } from './probe';
import type { Float32Tensor, QuantizedTensor } from './tensor';
import { viewFloat32 } from './tensor';

/** Group sizes along K the int4 kernels take. */
export const INT4_GROUP_SIZES: readonly number[] = [32, 64, 128];

const kHandle = Symbol('quanta.int4.handle');

/** int4 weights packed for the kernels; opaque, reusable from any number of calls. */
export class Int4PackedWeights {
  /** @internal */
  readonly [kHandle]: unknown;
  /** Output features. */
  readonly n: number;
  /** Input features (any; a partial last group is padded with zero weights, as MatMulNBits does). */
  readonly k: number;
  readonly groupSize: number;
  /** False when every zero point is 8 in nibble terms (int4 codes with zero point 0, Q4_0). */
  readonly hasZeroPoints: boolean;
  /** Size of the packed layout in bytes (nibbles, scales, zero points). */
  readonly bytes: number;

  /** @internal */
  constructor(handle: unknown) {
    this[kHandle] = handle;
    const info = callNative((native) => native.int4PackedInfo(handle));
    this.n = info.n;
    this.k = info.k;
    this.groupSize = info.group;
    this.hasZeroPoints = info.hasZeroPoints;
    this.bytes = info.bytes;
  }

  /** A copy of the packed layout (to compare packings, or to cache them). */
  packedBytes(): Uint8Array {
    const b = callNative((native) => native.int4PackedBytes(this[kHandle]));
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
}

function checkGroup(g: unknown, name: string): number {
  if (typeof g !== 'number' || !INT4_GROUP_SIZES.includes(g)) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, 'one of 32, 64, 128', g);
  return g;
}

function checkSize(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw invalid('ERR_QUANTA_INVALID_SHAPE', name, 'a positive integer', v);
  return v;
}

/** Groups along K: a partial last group counts (it is padded with zero weights and zero inputs). */
const groupsOf = (k: number, group: number): number => Math.ceil(k / group);

function checkScales(scales: Float32Array, name: string): void {
  for (let i = 0; i < scales.length; i++) {
    if (!Number.isFinite(scales[i]!)) throw new QuantaError('ERR_QUANTA_INVALID_SCALE', `${name}[${i}] must be finite, received ${scales[i]}`);
  }
}

function pack(codes: Uint8Array, flip: 0 | 8, scales: Float32Array, zeroPoints: Uint8Array | null, n: number, k: number, group: number): Int4PackedWeights {
  checkScales(scales, 'scales');
  return new Int4PackedWeights(callNative((native) => native.int4PackWeights(codes, flip, scales, zeroPoints, n, k, group)));
}

function bytesOf(x: unknown, name: string): Uint8Array {
  const data = x instanceof Uint8Array ? x : (x as { data?: unknown } | null)?.data;
  if (!(data instanceof Uint8Array)) throw invalid('ERR_QUANTA_INVALID_DTYPE', name, 'a Uint8Array (or a uint8 tensor)', x);
  return data;
}

/**
 * Scales as float32: a Float32Array or float32 tensor as is, or a float16 tensor ({ type:
 * 'float16', data: Uint16Array of fp16 bits }, as onnxruntime-node hands out MatMulNBits scales
 * of fp16 models) widened exactly (every fp16 value is a float32).
 */
function scalesOf(x: unknown, name: string): Float32Array {
  const t = x as { type?: unknown; data?: unknown } | null;
  if (typeof t === 'object' && t !== null && !ArrayBuffer.isView(t) && t.type === 'float16') {
    if (!(t.data instanceof Uint16Array)) throw invalid('ERR_QUANTA_INVALID_DTYPE', `${name}.data`, 'a Uint16Array of fp16 bits (a float16 tensor)', t.data);
    return Float32Array.from(t.data, fp16BitsToFp32);
  }
  const data = x instanceof Float32Array ? x : t?.data;
  if (!(data instanceof Float32Array)) throw invalid('ERR_QUANTA_INVALID_DTYPE', name, 'a Float32Array, a float32 tensor or a float16 tensor', x);
  return data;
}

function expectLength(a: { length: number }, want: number, name: string): void {
  if (a.length !== want) throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `${name} must have ${want} elements, received ${describe(a)}`);
}

/**
 * Packs an int4 or uint4 QuantizedTensor quantized in groups along K: dims [N, K] with axis 1
 * (PyTorch Linear weight; the rows of a Q4_0 or quantize(..., { axis: -1 }) tensor), or [K, N]
 * with axis 0 (ONNX MatMul B). Group size 32, 64 or 128; when K is not a multiple of it, the last
 * group is partial (ceil(K / G) scales per column) and is padded with zero weights. int4 codes c with
 * zero point zp read as (c - zp) * scale like ONNX DequantizeLinear; uint4 likewise. Scales may
 * be double-quantized (compressScales): they are expanded to float32 here, as the kernels read
 * float32 scales.
 */
export function packInt4Weights(weights: QuantizedTensor | DoubleQuantizedTensor): Int4PackedWeights {
  if (typeof weights !== 'object' || weights === null || !Array.isArray((weights as QuantizedTensor).dims)) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'weights', 'an int4 / uint4 QuantizedTensor', weights);
  }
  const q: QuantizedTensor = weights.scale instanceof Float32Array ? (weights as QuantizedTensor) : decompressScales(weights as DoubleQuantizedTensor);
  if (q.dtype !== 'int4' && q.dtype !== 'uint4') throw invalid('ERR_QUANTA_INVALID_DTYPE', 'weights.dtype', "'int4' or 'uint4'", q.dtype);
  if (q.dims.length !== 2) throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `weights must be 2-D ([N, K] or [K, N]), received dims [${q.dims.join(', ')}]`);
  const axis = q.axis === null ? null : q.axis < 0 ? q.axis + 2 : q.axis;
  if (q.blockSize === null || (axis !== 0 && axis !== 1)) {
    throw new QuantaError('ERR_QUANTA_INVALID_ARGUMENT', `weights must be quantized in groups (blockSize) along K, received axis ${q.axis} and blockSize ${q.blockSize}`);
  }
  const group = checkGroup(q.blockSize, 'weights.blockSize');
  const nk = axis === 1;
  const [n, k] = nk ? [q.dims[0]!, q.dims[1]!] : [q.dims[1]!, q.dims[0]!];
  checkSize(n, 'N');
  checkSize(k, 'K');
  const groups = groupsOf(k, group);
  expectLength(q.data, Math.ceil((n * k) / 2), 'weights.data');
  expectLength(q.scale, n * groups, 'weights.scale');
  expectLength(q.zeroPoint, n * groups, 'weights.zeroPoint');
  const signed = q.dtype === 'int4';
  const data = q.data instanceof Uint8Array ? q.data : new Uint8Array(q.data.buffer, q.data.byteOffset, q.data.byteLength);
  // Zero points in nibble terms: an int4 zero point zp is stored like its codes, as zp + 8.
  let zeroPoints: Uint8Array | null = null;
  const [lo, hi] = signed ? [-8, 7] : [0, 15];
  for (let i = 0; i < q.zeroPoint.length; i++) {
    const z = q.zeroPoint[i]!;
    if (!(z >= lo && z <= hi)) throw invalid('ERR_QUANTA_INVALID_ZERO_POINT', `weights.zeroPoint[${i}]`, `an integer in [${lo}, ${hi}]`, z);
    if (z + (signed ? 8 : 0) !== 8) zeroPoints ??= new Uint8Array(q.zeroPoint.length);
  }
  let codes = data;
  let scales = q.scale;
  const rowK = groups * group;
  if (!nk || rowK !== k) {
    // To [N, K] rows padded to whole groups (what the packer reads, MatMulNBits' B layout): [K, N]
    // transposed, or [N, K] rows that do not end on a group, once, at pack time.
    codes = new Uint8Array((n * rowK) / 2);
    for (let kk = 0; kk < k; kk++) {
      for (let col = 0; col < n; col++) {
        const e = nk ? col * k + kk : kk * n + col;
        const v = (data[e >> 1]! >> ((e & 1) * 4)) & 0x0f;
        const d = col * rowK + kk;
        codes[d >> 1] = codes[d >> 1]! | (v << ((d & 1) * 4));
      }
    }
  }
  if (!nk) {
    scales = new Float32Array(n * groups);
    for (let g = 0; g < groups; g++) for (let col = 0; col < n; col++) scales[col * groups + g] = q.scale[g * n + col]!;
  }
  if (zeroPoints !== null) {
    for (let col = 0; col < n; col++) {
      for (let g = 0; g < groups; g++) {
        const src = nk ? col * groups + g : g * n + col;
        zeroPoints[col * groups + g] = q.zeroPoint[src]! + (signed ? 8 : 0);
      }
    }
  }
  return pack(codes, signed ? 8 : 0, scales, zeroPoints, n, k, group);
}

/**
 * Packs ggml Q4_0 blocks of an [N, K] weight (a GgmlTensor of type 'q4_0', or a Uint8Array of
 * N * K / 32 blocks in row order): group size 32, nibble u standing for (u - 8) * d, so zero
 * point 8 and scale d (fp16, widened to float32 exactly). K must be a multiple of 32.
 */
export function packInt4FromQ4_0(blocks: GgmlTensor | Uint8Array, n: number, k: number): Int4PackedWeights {
  checkSize(n, 'n');
  checkSize(k, 'k');
  // ggml's Q4_0 rows are whole blocks by definition.
  if (k % GGML_BLOCK_VALUES !== 0) throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `k = ${k} must be a multiple of ${GGML_BLOCK_VALUES} for Q4_0 blocks`);
  const data = bytesOf(blocks, 'blocks');
  if (!(blocks instanceof Uint8Array)) {
    const t = blocks as GgmlTensor;
    if (t.type !== 'q4_0') throw invalid('ERR_QUANTA_INVALID_DTYPE', 'blocks.type', "'q4_0'", t.type);
    const dims = Array.isArray(t.dims) ? t.dims : [];
    const count = dims.reduce((a, b) => a * b, 1);
    if (dims[dims.length - 1] !== k || count !== n * k) {
      throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `blocks.dims must describe [${n}, ${k}] (N, K), received [${dims.join(', ')}]`);
    }
  }
  expectLength(data, ((n * k) / GGML_BLOCK_VALUES) * GGML_Q4_0_BLOCK_BYTES, 'blocks bytes');
  const w = q4_0ToMatMulNBits({ type: 'q4_0', dims: [n, k], data });
  return pack(w.B.data, 0, w.scales.data, null, n, k, GGML_BLOCK_VALUES);
}

export interface MatMulNBitsShape {
  k: number;
  n: number;
  blockSize: number;
}

/**
 * Packs onnxruntime MatMulNBits (bits = 4) weight tensors: B uint8 [N, ceil(K / blockSize),
 * blockSize / 2] (two values along K per byte, the first in the low nibble), scales float32 or
 * float16 [N, ceil(K / blockSize)] (float16 as a tensor { type: 'float16', data: Uint16Array },
 * the way onnxruntime-node holds it; widened exactly), zero points uint8 [N, ceil(ceil(K /
 * blockSize) / 2)] (two per byte) or absent (8). Tensors or their data arrays. blockSize 32, 64 or
 * 128, any K: as in MatMulNBits, a partial last block counts its first K % blockSize values (the
 * rest of its nibbles are ignored) and the inputs are padded with zeros.
 */
export function packInt4FromMatMulNBits(
  B: Uint8Array | { data: Uint8Array },
  scales: Float32Array | { data: Float32Array } | { type: 'float16'; data: Uint16Array },
  zeroPoints: Uint8Array | { data: Uint8Array } | null | undefined,
  shape: MatMulNBitsShape,
): Int4PackedWeights {
  if (typeof shape !== 'object' || shape === null) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'shape', 'an object { k, n, blockSize }', shape);
  const k = checkSize(shape.k, 'shape.k');
  const n = checkSize(shape.n, 'shape.n');
  const group = checkGroup(shape.blockSize, 'shape.blockSize');
  const groups = groupsOf(k, group);
  const codes = bytesOf(B, 'B');
  const s = scalesOf(scales, 'scales');
  expectLength(codes, (n * groups * group) / 2, 'B');
  expectLength(s, n * groups, 'scales');
  let zp: Uint8Array | null = null;
  if (zeroPoints !== null && zeroPoints !== undefined) {
    const packed = bytesOf(zeroPoints, 'zeroPoints');
    const perColumn = Math.ceil(groups / 2);
    expectLength(packed, n * perColumn, 'zeroPoints');
    zp = new Uint8Array(n * groups);
    for (let col = 0; col < n; col++) {
      for (let g = 0; g < groups; g++) zp[col * groups + g] = (packed[col * perColumn + (g >> 1)]! >> ((g & 1) * 4)) & 0x0f;
    }
  }
  return pack(codes, 0, s, zp, n, k, group);
}

export interface Int4LinearOptions {
  /** 'float32' (default: dequantize on the fly) or 'int8' (quantize x per group, integer dots). */
  activations?: 'float32' | 'int8';
  /** Per output feature (N values). */
  bias?: Float32Array | readonly number[];
  /** A caller-provided Float32Array of M * N elements (no allocation). */
  out?: Float32Array;
  isa?: IsaName;
}

/** y = x . W^T (+ bias) for x float32 [..., M, K] and packed W; y is float32 [..., M, N]. */
function prepareInt4Linear(x: unknown, packed: Int4PackedWeights, options: Int4LinearOptions): PreparedCall<Float32Tensor> {
  if (!(packed instanceof Int4PackedWeights)) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'packed', 'Int4PackedWeights from packInt4Weights()', packed);
  const { data, dims } = viewFloat32(x, 'x');
  const k = dims.length > 0 ? dims[dims.length - 1]! : -1;
  if (k !== packed.k) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `x must be [..., M, ${packed.k}] (K of the packed weights), received dims [${dims.join(', ')}]`);
  }
  const m = data.length / k;
  const activations = options.activations ?? 'float32';
  if (activations !== 'float32' && activations !== 'int8') throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.activations', "'float32' or 'int8'", activations);
  if (options.isa !== undefined) assertIsaName(options.isa, 'options.isa');
  // int8 activations need a finite range per group: the addon refuses NaN / +-Inf in x with
  // ERR_QUANTA_NON_FINITE (one vectorized pass there, not a JS loop). float32 activations let
  // them propagate as IEEE arithmetic does.
  const bias = readBias(options.bias, packed.n);
  const out = productOutput(Float32Array, m * packed.n, options.out, { name: 'x', views: [data] });
  const handle = packed[kHandle];
  return {
    run: (native, async) => native.int4Linear(handle, data, m, activations === 'int8', bias, out, options.isa, async),
    result: { type: 'float32', data: out, dims: [...dims.slice(0, -1), packed.n] },
  };
}

/**
 * y = x . W^T (+ bias) for float32 x [..., M, K] and packed int4 W; y is [..., M, N]. Computed off
 * the JS thread (a Promise, as gemm); int4LinearSync is the synchronous twin.
 */
export async function int4Linear(x: unknown, packed: Int4PackedWeights, options: Int4LinearOptions = {}): Promise<Float32Tensor> {
  return runAsync(prepareInt4Linear(x, packed, options));
}

/** int4Linear on the calling thread. */
export function int4LinearSync(x: unknown, packed: Int4PackedWeights, options: Int4LinearOptions = {}): Float32Tensor {
  return runSync(prepareInt4Linear(x, packed, options));
}

/** The path the int4 kernels run on (the active one, or `isa`'s). */
export function int4KernelIsa(isa?: IsaName): string {
  if (isa !== undefined) assertIsaName(isa);
  return callNative((native) => native.int4KernelIsa(isa));
}
