/**
 * The int8 GEMM engine: pack int8 / uint8 weights once (`packWeights`), then multiply activations
 * by them many times (`gemm`, a Promise, or `gemmSync`), with int32, dequantized float32 or
 * requantized 8-bit output.
 *
 *   Y[m, n] = (A[m, :] - aZeroPoint) . (W[:, n] - zeroPoint[n])                        (int32)
 *   float32: fma(float(Y), aScale[m] * scale[n], bias[n]), then the activation (ReLU, or GELU
 *            by erf as PyTorch's default: a fixed operation sequence, quanta/gelu.h in native/)
 *   uint8 / int8: round_half_even(clamp(float(Y + biasQ[n]) * (aScale * scale[n] / outScale)))
 *            + outZeroPoint, biasQ[n] = round_half_even(bias[n] / (aScale * scale[n])) in int32
 *            (onnxruntime's quantized bias); int32 output is the raw sum, without bias
 *
 * Integer results equal the reference bit for bit on every kernel path and thread count; float32
 * and requantized results too (one fused multiply-add, one rounding, on every path).
 */
import { productOutput } from './buffers';
import { INT_RANGES } from './dtypes';
import { QuantaError, invalid } from './errors';
import type { NativeAddon } from './native';
import { callNative, callNativeAsync } from './native';
import type { IsaName } from './probe';
import { assertIsaName } from './probe';
import type { IntInput, ScaleInput, ZeroPointInput } from './tensor';
import { viewTensor } from './tensor';
import { readBias, readScales, readZeroPoints } from './ops/scalars';

/** Weight layout: [N, K] (PyTorch Linear weight) or [K, N] (ONNX MatMul B). */
export type GemmWeightLayout = 'nk' | 'kn';
export type GemmOutputType = 'int32' | 'float32' | 'uint8' | 'int8';

export interface PackWeightsOptions {
  /** Default 'nk' ([N, K], PyTorch Linear). */
  layout?: GemmWeightLayout;
  /** Per tensor (1 value) or per output channel (N values), in the weights' type. Default 0. */
  zeroPoint?: ZeroPointInput;
  /** Per tensor or per output channel; needed for float32 and 8-bit outputs. Default 1. */
  scale?: ScaleInput;
  /** Per output channel, added in float32 outputs. */
  bias?: Float32Array | readonly number[];
}

const kHandle = Symbol('quanta.gemm.handle');

/** Weights packed for the GEMM kernels; opaque, reusable from any number of calls. */
export class PackedWeights {
  /** @internal */
  readonly [kHandle]: unknown;

  /** @internal */
  constructor(
    handle: unknown,
    readonly n: number,
    readonly k: number,
    readonly dtype: 'int8' | 'uint8',
    readonly layout: GemmWeightLayout,
    readonly hasScale: boolean,
  ) {
    this[kHandle] = handle;
  }

  /**
   * The packed weights as bytes (a versioned, checksummed format; see loadPackedWeights). The
   * layout is the same for every kernel path, so the bytes load on any machine.
   */
  serialize(): Uint8Array {
    return callNative((native) => native.gemmSerialize(this[kHandle], this.dtype === 'int8', this.layout === 'nk', this.hasScale));
  }

  /** The packed layout every kernel path reads: 16-column panels, K in steps of 4. */
  get packedLayout(): 'N16K4' {
    return 'N16K4';
  }

  /**
   * The path whose kernel multiplies these weights now (the active one). One layout serves every
   * path, so packed (and saved) weights never need repacking when the path changes.
   */
  get isa(): string {
    return gemmKernelIsa();
  }
}

/**
 * Loads bytes written by PackedWeights.serialize(). Anything that is not such a file, or is
 * truncated, corrupted or inconsistent, throws ERR_QUANTA_INVALID_FILE (the loader re-derives and
 * checks what the kernels rely on rather than trusting the file).
 */
export function loadPackedWeights(bytes: Uint8Array): PackedWeights {
  if (!(bytes instanceof Uint8Array)) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'bytes', 'a Uint8Array (or Buffer)', bytes);
  const r = callNative((native) => native.gemmDeserialize(bytes));
  return new PackedWeights(r.handle, r.n, r.k, r.bSigned ? 'int8' : 'uint8', r.layoutNK ? 'nk' : 'kn', r.hasScale);
}

/** @internal The native handle behind a PackedWeights (for the other entry points of the engine). */
export function nativeHandle(packed: PackedWeights): unknown {
  if (!(packed instanceof PackedWeights)) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'packed', 'PackedWeights from packWeights()', packed);
  return packed[kHandle];
}

function readInt8(x: unknown, name: string): { dtype: 'int8' | 'uint8'; data: Int8Array | Uint8Array; dims: number[] } {
  const t = viewTensor(x, name);
  if (t.data instanceof Int8Array && t.type !== 'int4') return { dtype: 'int8', data: t.data, dims: t.dims };
  if (t.data instanceof Uint8Array && t.type !== 'int4' && t.type !== 'uint4') return { dtype: 'uint8', data: t.data, dims: t.dims };
  throw invalid('ERR_QUANTA_INVALID_DTYPE', name, 'int8 or uint8', t.data);
}

function countOf(x: unknown): number {
  if (x === undefined || x === null || typeof x === 'number') return 1;
  if (Array.isArray(x)) return x.length;
  if (ArrayBuffer.isView(x)) return (x as unknown as ArrayLike<number>).length;
  const data = (x as { data?: ArrayLike<number> }).data;
  return data?.length ?? 1;
}

/** Packs int8 / uint8 weights (a 2-D tensor, or a flat array with `n` and `k` from `dims`). */
export function packWeights(weights: IntInput, options: PackWeightsOptions = {}): PackedWeights {
  const w = readInt8(weights, 'weights');
  const layout = options.layout ?? 'nk';
  if (layout !== 'nk' && layout !== 'kn') throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.layout', "'nk' or 'kn'", layout);
  if (w.dims.length !== 2) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `weights must be 2-D (${layout === 'nk' ? '[N, K]' : '[K, N]'}), received dims [${w.dims.join(', ')}]`);
  }
  const [n, k] = layout === 'nk' ? [w.dims[0]!, w.dims[1]!] : [w.dims[1]!, w.dims[0]!];
  const zpCount = countOf(options.zeroPoint);
  if (zpCount !== 1 && zpCount !== n) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `options.zeroPoint must have 1 or ${n} (N) values, received ${zpCount}`);
  }
  const zp = options.zeroPoint === undefined ? new Int32Array(1) : readZeroPoints(options.zeroPoint, zpCount, w.dtype, 'options.zeroPoint');
  const scale = options.scale === undefined ? new Float32Array(0) : readScales(options.scale, 'options.scale').data;
  if (scale.length > 1 && scale.length !== n) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `options.scale must have 1 or ${n} (N) values, received ${scale.length}`);
  }
  const bias = readBias(options.bias, n);
  const handle = callNative((native) => native.gemmPackWeights(w.data, w.dtype === 'int8', layout === 'nk', n, k, zp, scale, bias));
  return new PackedWeights(handle, n, k, w.dtype, layout, scale.length > 0);
}

export interface GemmOptions {
  /** Per tensor (1 value) or per row of A (M values), in A's type. Default 0. */
  aZeroPoint?: ZeroPointInput;
  /** Default 'int32'. */
  output?: GemmOutputType;
  /** A's scale: 1 value, or M (per row, float32 output only). Needed for float32 / 8-bit output. */
  aScale?: ScaleInput;
  /** float32 output: 'relu' (max(0, y)) or 'gelu' (y * Phi(y), erf form). */
  activation?: 'relu' | 'gelu';
  /** float32 output: max(0, y) (the same as activation: 'relu'). */
  relu?: boolean;
  /** 8-bit output: its scale and zero point. */
  outScale?: number;
  outZeroPoint?: number;
  /** A caller-provided output of M * N elements of the output type (no allocation). */
  out?: Int32Array | Float32Array | Uint8Array | Int8Array;
  isa?: IsaName;
}

export interface GemmResult {
  type: GemmOutputType;
  data: Int32Array | Float32Array | Uint8Array | Int8Array;
  dims: number[];
}

const KIND: Record<GemmOutputType, number> = { int32: 0, float32: 1, uint8: 2, int8: 3 };
const OUTPUT_ARRAY = { int32: Int32Array, float32: Float32Array, uint8: Uint8Array, int8: Int8Array } as const;
// Shared defaults: the native side only reads them, so every call (and every call in flight) can
// use the same arrays; a small sync call then allocates nothing but its result object.
const NO_ZERO_POINT = new Int32Array(1);
const NO_SCALE = new Float32Array(0);

/** @internal The activation option as the binding's code: 0 none, 1 ReLU, 2 GELU. */
export function activationCode(options: { activation?: unknown; relu?: unknown }): number {
  const { activation, relu } = options;
  if (activation !== undefined && activation !== 'relu' && activation !== 'gelu') {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.activation', "'relu' or 'gelu'", activation);
  }
  if (relu === true && activation === 'gelu') throw new QuantaError('ERR_QUANTA_INVALID_ARGUMENT', "options.relu and activation: 'gelu' exclude each other");
  return activation === 'gelu' ? 2 : activation === 'relu' || relu === true ? 1 : 0;
}

/** A checked call: the native arguments (without the async flag) and the result they fill. */
export interface PreparedCall<R> {
  run: (native: NativeAddon, async: boolean) => Promise<void> | undefined;
  result: R;
}

function prepareGemm(a: IntInput, packed: PackedWeights, options: GemmOptions): PreparedCall<GemmResult> {
  if (!(packed instanceof PackedWeights)) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'packed', 'PackedWeights from packWeights()', packed);
  const A = readInt8(a, 'a');
  const k = A.dims.length > 0 ? A.dims[A.dims.length - 1]! : -1;
  if (k !== packed.k) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `a must be [..., M, ${packed.k}] (K of the packed weights), received dims [${A.dims.join(', ')}]`);
  }
  const m = k === 0 ? A.dims.slice(0, -1).reduce((x, y) => x * y, 1) : A.data.length / k;
  const n = packed.n;
  const output = options.output ?? 'int32';
  if (!(output in KIND)) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.output', "'int32', 'float32', 'uint8' or 'int8'", output);
  if (options.isa !== undefined) assertIsaName(options.isa, 'options.isa');
  const zpCount = countOf(options.aZeroPoint);
  if (zpCount !== 1 && zpCount !== m) throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `options.aZeroPoint must have 1 or ${m} (M) values, received ${zpCount}`);
  const azp = options.aZeroPoint === undefined ? NO_ZERO_POINT : readZeroPoints(options.aZeroPoint, zpCount, A.dtype, 'options.aZeroPoint');
  let scaleA: Float32Array = NO_SCALE;
  if (output !== 'int32') {
    if (options.aScale === undefined) throw new QuantaError('ERR_QUANTA_INVALID_SCALE', `options.aScale is needed for ${output} output`);
    scaleA = readScales(options.aScale, 'options.aScale').data;
    const ok = scaleA.length === 1 || (output === 'float32' && scaleA.length === m);
    if (!ok) throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `options.aScale must have 1${output === 'float32' ? ` or ${m} (M)` : ''} values, received ${scaleA.length}`);
  }
  let outScale = 1;
  let outZeroPoint = 0;
  if (output === 'uint8' || output === 'int8') {
    outScale = readScales(options.outScale ?? Number.NaN, 'options.outScale').data[0]!;
    outZeroPoint = readZeroPoints(options.outZeroPoint ?? 0, 1, output, 'options.outZeroPoint')[0]!;
  }
  const size = m * n;
  const Ctor = OUTPUT_ARRAY[output];
  const out: GemmResult['data'] = productOutput<GemmResult['data']>(Ctor, size, options.out, { name: 'a', views: [A.data] }, `a ${Ctor.name} for ${output} output`);
  const [qmin, qmax] = output === 'int8' || output === 'uint8' ? INT_RANGES[output] : [0, 0];
  const activation = activationCode(options);
  const handle = packed[kHandle];
  return {
    run: (native, async) =>
      native.gemm(handle, A.data, A.dtype === 'int8', m, azp, KIND[output], out, scaleA, activation, outScale, outZeroPoint, qmin, qmax, options.isa, async),
    result: { type: output, data: out, dims: [...A.dims.slice(0, -1), n] },
  };
}

/**
 * Y = A . W for A [..., M, K] (int8 or uint8) and packed W ([K, N] in effect); Y is [..., M, N].
 * Computed off the JS thread (see runAsync); gemmSync is the synchronous twin, as in `fs`.
 */
export async function gemm(a: IntInput, packed: PackedWeights, options: GemmOptions = {}): Promise<GemmResult> {
  return runAsync(prepareGemm(a, packed, options));
}

/** gemm on the calling thread (which still hands the loops to the addon's pool). */
export function gemmSync(a: IntInput, packed: PackedWeights, options: GemmOptions = {}): GemmResult {
  return runSync(prepareGemm(a, packed, options));
}

/** @internal Runs a prepared call on the calling thread (which still hands the loops to the pool). */
export function runSync<R>(call: PreparedCall<R>): R {
  callNative((native) => call.run(native, false));
  return call.result;
}

/**
 * @internal Runs a prepared call on a libuv worker thread, which hands the loops to the addon's own
 * pool; the JS thread stays free. The buffers of the call are kept alive until it settles; do not
 * transfer, detach or write them meanwhile (the work reads and writes them in place).
 */
export async function runAsync<R>(call: PreparedCall<R>): Promise<R> {
  await callNativeAsync((native) => call.run(native, true) as Promise<void>);
  return call.result;
}



/** The path the GEMM kernel runs on (the active one, or `isa`'s). */
export function gemmKernelIsa(isa?: IsaName): string {
  if (isa !== undefined) assertIsaName(isa);
  return callNative((native) => native.gemmKernelIsa(isa));
}
