/**
 * Dynamic quantization in one call, the way onnxruntime's DynamicQuantizeMatMul and PyTorch's
 * dynamic Linear work: float32 activations are quantized to uint8 on the fly with
 * DynamicQuantizeLinear's parameters (range [min(0, min x), max(0, max x)], scale = range / 255,
 * zero point rounded half to even), multiplied by int8 / uint8 weights packed once with
 * `packWeights`, and dequantized to float32 in the engine's epilogue:
 *
 *   y[m, n] = fma(float(acc[m, n]), xScale[m] * scale[n], bias[n])   (then ReLU or GELU)
 *
 * `granularity: 'row'` (the default) gives every row of x its own scale and zero point: the same
 * cost, and an outlier in one token no longer coarsens every other row. 'tensor' is onnxruntime's
 * and PyTorch's choice. NaN or infinite activations are refused (ERR_QUANTA_NON_FINITE).
 */
import { productOutput } from './buffers';
import { QuantaError, invalid } from './errors';
import type { PackedWeights, PreparedCall } from './gemm';
import { activationCode, nativeHandle, runAsync, runSync } from './gemm';
import type { IsaName } from './probe';
import { assertIsaName } from './probe';
import type { Float32Tensor } from './tensor';
import { viewFloat32 } from './tensor';

export interface DynamicQuantizeMatmulOptions {
  /** One activation scale per row of x (default) or one for all of x. */
  granularity?: 'row' | 'tensor';
  relu?: boolean;
  /** 'relu' or 'gelu' (erf form), after the bias. */
  activation?: 'relu' | 'gelu';
  /** A caller-provided Float32Array of M * N elements (no allocation). */
  out?: Float32Array;
  isa?: IsaName;
}

function prepareDynamic(x: unknown, packed: PackedWeights, options: DynamicQuantizeMatmulOptions): PreparedCall<Float32Tensor> {
  const handle = nativeHandle(packed);
  const input = viewFloat32(x, 'x');
  const { k, n } = packed;
  let m: number;
  let outDims: number[];
  const last = input.dims[input.dims.length - 1];
  if (input.dims.length >= 2 && last === k) {
    m = k === 0 ? input.dims.slice(0, -1).reduce((p, q) => p * q, 1) : input.data.length / k;
    outDims = [...input.dims.slice(0, -1), n];
  } else if (input.dims.length === 1 && k > 0 && input.data.length % k === 0) {
    m = input.data.length / k;
    outDims = m === 1 ? [n] : [m, n];
  } else {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `x must be [..., M, ${k}] (K of the packed weights) or a flat multiple of ${k}, received dims [${input.dims.join(', ')}]`);
  }
  const granularity = options.granularity ?? 'row';
  if (granularity !== 'row' && granularity !== 'tensor') throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.granularity', "'row' or 'tensor'", granularity);
  if (options.isa !== undefined) assertIsaName(options.isa, 'options.isa');
  const out = productOutput(Float32Array, m * n, options.out, { name: 'x', views: [input.data] });
  const activation = activationCode(options);
  return {
    run: (native, async) => native.gemmDynamic(handle, input.data, m, granularity === 'row', out, activation, options.isa, async),
    result: { type: 'float32', data: out, dims: outDims },
  };
}

/**
 * Y = x . W for float32 x [..., M, K] (or a flat M * K array) and packed W; Y is [..., M, N].
 * Computed off the JS thread; dynamicQuantizeMatmulSync is the synchronous twin.
 */
export async function dynamicQuantizeMatmul(x: unknown, packed: PackedWeights, options: DynamicQuantizeMatmulOptions = {}): Promise<Float32Tensor> {
  return runAsync(prepareDynamic(x, packed, options));
}

/** dynamicQuantizeMatmul on the calling thread. */
export function dynamicQuantizeMatmulSync(x: unknown, packed: PackedWeights, options: DynamicQuantizeMatmulOptions = {}): Float32Tensor {
  return runSync(prepareDynamic(x, packed, options));
}
