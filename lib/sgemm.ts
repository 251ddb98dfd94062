/**
 * The float32 GEMM engine: pack float32 weights once (`packWeightsF32`), then multiply float32
 * activations by them many times (`sgemm`). It is the baseline the int8 engine is compared with,
 * and the path for layers kept in float.
 *
 *   Y[m, n] = sum_k A[m, k] * W[k, n]  (+ bias[n])  (then max(0, .) with relu)
 *
 * Each output is one fixed sequence of float32 fused multiply-adds (K in order, in slices of at
 * most 512 added in order, then the bias), so results are bit-identical on every kernel path and
 * thread count. Against the exact product the error is at most about (K + K / 512 + 2) * 2^-24 *
 * (sum_k |A[m, k] W[k, n]| + |bias[n]|). NaN and infinities in A propagate as in any BLAS (relu
 * keeps NaN, as PyTorch does).
 */
import { productOutput } from './buffers';
import { QuantaError, invalid } from './errors';
import type { PreparedCall } from './gemm';
import { runAsync, runSync } from './gemm';
import { callNative } from './native';
import { readBias } from './ops/scalars';
import type { IsaName } from './probe';
import { assertIsaName } from './probe';
import type { Float32Input, Float32Tensor } from './tensor';
import { viewFloat32 } from './tensor';

/** Weight layout: [N, K] (PyTorch Linear weight) or [K, N] (ONNX MatMul B). */
export type SgemmWeightLayout = 'nk' | 'kn';

export interface PackWeightsF32Options {
  /** Default 'nk' ([N, K], PyTorch Linear). */
  layout?: SgemmWeightLayout;
  /** Per output channel (N values), added after the product; must be finite. */
  bias?: Float32Array | readonly number[];
}

const kHandle = Symbol('quanta.sgemm.handle');

/** float32 weights packed for the GEMM kernels; opaque, reusable from any number of calls. */
export class PackedWeightsF32 {
  /** @internal */
  readonly [kHandle]: unknown;

  /** @internal */
  constructor(
    handle: unknown,
    readonly n: number,
    readonly k: number,
    readonly layout: SgemmWeightLayout,
    readonly hasBias: boolean,
  ) {
    this[kHandle] = handle;
  }
}

/** Packs float32 weights: a 2-D tensor ([N, K] or [K, N] by `layout`), or a Float32Array with `dims`. */
export function packWeightsF32(weights: Float32Input, options: PackWeightsF32Options = {}): PackedWeightsF32 {
  const w = viewFloat32(weights, 'weights');
  const layout = options.layout ?? 'nk';
  if (layout !== 'nk' && layout !== 'kn') throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.layout', "'nk' or 'kn'", layout);
  if (w.dims.length !== 2) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `weights must be 2-D (${layout === 'nk' ? '[N, K]' : '[K, N]'}), received dims [${w.dims.join(', ')}]`);
  }
  const [n, k] = layout === 'nk' ? [w.dims[0]!, w.dims[1]!] : [w.dims[1]!, w.dims[0]!];
  let bias: Float32Array | null = null;
  if (options.bias !== undefined) {
    if (!(options.bias instanceof Float32Array) && !Array.isArray(options.bias)) {
      throw invalid('ERR_QUANTA_INVALID_DTYPE', 'options.bias', 'a Float32Array or an array of numbers', options.bias);
    }
    bias = readBias(options.bias, n);
  }
  const handle = callNative((native) => native.sgemmPackWeights(w.data, layout === 'nk', n, k, bias));
  return new PackedWeightsF32(handle, n, k, layout, bias !== null);
}

export interface SgemmOptions {
  /** max(0, y) after the bias. */
  relu?: boolean;
  /** A caller-provided Float32Array of M * N elements (no allocation); must not overlap `a`. */
  out?: Float32Array;
  isa?: IsaName;
}

function prepareSgemm(a: Float32Input, packed: PackedWeightsF32, options: SgemmOptions): PreparedCall<Float32Tensor> {
  if (!(packed instanceof PackedWeightsF32)) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'packed', 'PackedWeightsF32 from packWeightsF32()', packed);
  const A = viewFloat32(a, 'a');
  const k = A.dims.length > 0 ? A.dims[A.dims.length - 1]! : -1;
  if (k !== packed.k) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `a must be [..., M, ${packed.k}] (K of the packed weights), received dims [${A.dims.join(', ')}]`);
  }
  if (options.relu !== undefined && typeof options.relu !== 'boolean') throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.relu', 'a boolean', options.relu);
  if (options.isa !== undefined) assertIsaName(options.isa, 'options.isa');
  const m = A.dims.slice(0, -1).reduce((x, y) => x * y, 1);
  const n = packed.n;
  const size = m * n;
  const out = productOutput(Float32Array, size, options.out, { name: 'a', views: [A.data] });
  const handle = packed[kHandle];
  return {
    run: (native, async) => native.sgemm(handle, A.data, m, out, options.relu === true, options.isa, async),
    result: { type: 'float32', data: out, dims: [...A.dims.slice(0, -1), n] },
  };
}

/**
 * Y = A . W (+ bias) for A [..., M, K] (float32) and packed W ([K, N] in effect); Y is [..., M, N].
 * Computed off the JS thread; sgemmSync is the synchronous twin.
 */
export async function sgemm(a: Float32Input, packed: PackedWeightsF32, options: SgemmOptions = {}): Promise<Float32Tensor> {
  return runAsync(prepareSgemm(a, packed, options));
}

/** sgemm on the calling thread. */
export function sgemmSync(a: Float32Input, packed: PackedWeightsF32, options: SgemmOptions = {}): Float32Tensor {
  return runSync(prepareSgemm(a, packed, options));
}

/** The path the float32 GEMM kernel runs on (the active one, or `isa`'s). */
export function sgemmKernelIsa(isa?: IsaName): string {
  if (isa !== undefined) assertIsaName(isa);
  return callNative((native) => native.sgemmKernelIsa(isa));
}
