/**
 * The binary (1-bit, XNOR-Net) GEMM engine: pack sign-bit weights once (`packBinaryWeights`),
 * binarize activations (`binarizeActivations`, or let `binaryGemm` do it), then multiply.
 *
 * Signs follow lib/formats/binary.ts: x >= 0 (so +0 and -0) is +1, x < 0 is -1; NaN / Inf are
 * rejected. Scales are XNOR-Net's mean(|x|): per output channel (or per tensor) for the weights,
 * per row for binarized activations.
 *
 *   binary x binary:  dot[m, n] = K - 2 * popcount(a[m] XOR w[n])          (int32, exact)
 *                     float32: fma(float(dot), aScale[m] * scale[n], bias[n])
 *                     group scales (G values of K each, G a multiple of 64 up to 8192), in order:
 *                       acc = +0; for g: acc = fma(float(dot_g), aScale[m] * scale[n, g], acc)
 *                       y = acc + bias[n]
 *   float32 activations x binary weights:
 *                     acc = +0; for k in order: acc += sign(w[n, k]) ? x[m, k] : -x[m, k]
 *                     y = fma(acc, scale[n], bias[n])
 *
 * Every result, int32 and float32 alike, is bit-identical on every kernel path and thread count
 * (the float orders above are fixed). Padding bits of binarized rows never affect a result.
 */
import { productOutput } from './buffers';
import { QuantaError, invalid } from './errors';
import { quantizeBinary } from './formats/binary';
import { viewFiniteFloat32 } from './formats/checks';
import type { BinaryTensor } from './formats/types';
import type { PreparedCall } from './gemm';
import { runAsync, runSync } from './gemm';
import { callNative } from './native';
import { readBias } from './ops/scalars';
import type { IsaName } from './probe';
import { assertIsaName } from './probe';
import type { Float32Input } from './tensor';
import { sizeOf } from './tensor';

/** Weight layout: [N, K] (PyTorch Linear) or [K, N] (ONNX MatMul B). */
export type BinaryWeightLayout = 'nk' | 'kn';

export interface PackBinaryWeightsOptions {
  /** Default 'nk'. */
  layout?: BinaryWeightLayout;
  /**
   * Float32 weights: one mean(|w|) per output channel (default), one for the tensor, or one per
   * output channel and group of `groupSize` values along K (binary activations only).
   */
  scale?: 'channel' | 'tensor' | 'group';
  /** With scale 'group': a multiple of 64, at most 8192. */
  groupSize?: number;
  /** Per output channel (N values), added in float32 outputs. */
  bias?: Float32Array | readonly number[];
}

const kHandle = Symbol('quanta.binary.handle');

/** Binary weights packed for the kernels; opaque, reusable from any number of calls. */
export class PackedBinaryWeights {
  /** @internal */
  readonly [kHandle]: unknown;

  /** @internal */
  constructor(
    handle: unknown,
    readonly n: number,
    readonly k: number,
    /** The weight scales: 1, N, or N * ceil(K / groupSize) (column n's groups together). */
    readonly scale: Float32Array,
    /** 0 unless the scales are per group of this many values along K. */
    readonly groupSize: number,
  ) {
    this[kHandle] = handle;
  }
}

/** Activation rows binarized: 64 signs per word, row r in words [r * wordsPerRow, (r + 1) * wordsPerRow). */
export interface BinaryActivations {
  dtype: 'binary-rows';
  /** [..., M, K] of the float input. */
  dims: number[];
  wordsPerRow: number;
  /** Element k of a row is bit k % 64 of word k / 64 (1 = +1); bits past K are ignored. */
  words: BigUint64Array;
  /** mean(|x|) of each row (float64 sum rounded once), M values. */
  scale: Float32Array;
}

function isBinaryTensor(x: unknown): x is BinaryTensor {
  return typeof x === 'object' && x !== null && (x as { dtype?: unknown }).dtype === 'binary';
}

function checkLayout(layout: unknown): BinaryWeightLayout {
  if (layout === undefined) return 'nk';
  if (layout !== 'nk' && layout !== 'kn') throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.layout', "'nk' or 'kn'", layout);
  return layout;
}

/**
 * Packs binary weights: float32 [N, K] / [K, N] (binarized here with XNOR-Net scales), or a
 * 2-D tensor from quantizeBinary with per-tensor or per-output-channel scales.
 */
export function packBinaryWeights(weights: Float32Input | BinaryTensor, options: PackBinaryWeightsOptions = {}): PackedBinaryWeights {
  const layout = checkLayout(options.layout);
  const nAxis = layout === 'nk' ? 0 : 1;
  let q: BinaryTensor;
  let groupSize = 0;
  if (isBinaryTensor(weights)) {
    if (options.scale !== undefined) {
      throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.scale', 'undefined for a binary tensor (its scales are used)', options.scale);
    }
    q = weights;
    const dims = q.dims;
    if (!Array.isArray(dims) || dims.length !== 2) {
      throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `weights must be 2-D (${layout === 'nk' ? '[N, K]' : '[K, N]'}), received dims [${String(dims)}]`);
    }
    const count = sizeOf(dims, 'weights');
    if (!(q.data instanceof Uint8Array) || q.data.length !== Math.ceil(count / 8)) {
      throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `weights.data must be a Uint8Array of ${Math.ceil(count / 8)} bytes for ${count} bits`);
    }
    if (!(q.scale instanceof Float32Array)) throw invalid('ERR_QUANTA_INVALID_SCALE', 'weights.scale', 'a Float32Array', q.scale);
    const perChannel = q.scale.length === dims[nAxis] && q.axis === nAxis && (q.blockSize ?? null) === null;
    const grouped = q.axis === 1 - nAxis && typeof q.blockSize === 'number';
    if (q.scale.length !== 1 && !perChannel && !grouped) {
      throw new QuantaError(
        'ERR_QUANTA_INVALID_SCALE',
        `weights must have one scale per tensor, per output channel (axis ${nAxis} for layout '${layout}'), or per group along K (axis ${1 - nAxis} with blockSize); received ${q.scale.length} scales on axis ${String(q.axis)} with blockSize ${String(q.blockSize)}`,
      );
    }
    if (grouped) {
      // One block covering all of K is one group whatever its nominal size.
      const kLength = dims[1 - nAxis]!;
      const block = q.blockSize! >= kLength ? Math.max(64, Math.ceil(kLength / 64) * 64) : q.blockSize;
      groupSize = checkGroupSize(block, 'weights.blockSize');
    }
    for (let i = 0; i < q.scale.length; i++) {
      if (!(q.scale[i]! >= 0) || !Number.isFinite(q.scale[i]!)) {
        throw new QuantaError('ERR_QUANTA_INVALID_SCALE', `weights.scale[${i}] must be a finite number >= 0, received ${q.scale[i]}`);
      }
    }
  } else {
    const scale = options.scale ?? 'channel';
    if (scale !== 'channel' && scale !== 'tensor' && scale !== 'group') {
      throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.scale', "'channel', 'tensor' or 'group'", scale);
    }
    if (scale === 'group') groupSize = checkGroupSize(options.groupSize, 'options.groupSize');
    else if (options.groupSize !== undefined) {
      throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.groupSize', "undefined unless options.scale is 'group'", options.groupSize);
    }
    const w = viewFiniteFloat32(weights, 'weights', 'the binary scale is mean(|w|)');
    if (w.dims.length !== 2) {
      throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `weights must be 2-D (${layout === 'nk' ? '[N, K]' : '[K, N]'}), received dims [${w.dims.join(', ')}]`);
    }
    // The format wants blocks no longer than the axis: a group longer than K is all of K.
    const kLength = w.dims[1 - nAxis]!;
    const layoutOptions = scale === 'channel' ? { axis: nAxis }
      : scale === 'group' ? (kLength === 0 ? { axis: 1 - nAxis } : { axis: 1 - nAxis, blockSize: Math.min(groupSize, kLength) })
        : {};
    q = quantizeBinary({ type: 'float32', data: w.data, dims: w.dims }, layoutOptions);
  }
  const [n, k] = layout === 'nk' ? [q.dims[0]!, q.dims[1]!] : [q.dims[1]!, q.dims[0]!];
  const bias = readBias(options.bias, n);
  let scale: Float32Array;
  if (groupSize > 0) {
    // The format orders [N, K] blocks as n * groups + g and [K, N] ones as g * N + n; the kernels
    // take column n's groups together.
    const groups = Math.ceil(k / groupSize);
    scale = layout === 'nk' && groups > 0 ? Float32Array.from(q.scale) : new Float32Array(n * groups);
    if (layout === 'kn') for (let g = 0; g < groups; g++) for (let j = 0; j < n; j++) scale[j * groups + g] = q.scale[g * n + j]!;
  } else {
    scale = q.scale.length > 0 ? Float32Array.from(q.scale) : new Float32Array([0]);
  }
  const handle = callNative((native) => native.binaryPackWeights(q.data, layout === 'nk', n, k, scale, bias, groupSize));
  return new PackedBinaryWeights(handle, n, k, scale, groupSize);
}

function checkGroupSize(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 64 || value > 8192 || value % 64 !== 0) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, 'a multiple of 64 from 64 to 8192 (the binary GEMM packs 64 signs per word)', value);
  }
  return value;
}

/** XNOR-Net binarization of activation rows x [..., M, K]: sign bits and mean(|x|) per row. */
export function binarizeActivations(x: Float32Input): BinaryActivations {
  const v = viewFiniteFloat32(x, 'x', 'the binary scale is mean(|x|)');
  if (v.dims.length < 1) throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', 'x must have at least one dimension ([..., M, K])');
  const k = v.dims[v.dims.length - 1]!;
  const m = k === 0 ? v.dims.slice(0, -1).reduce((a, b) => a * b, 1) : v.data.length / k;
  const wordsPerRow = Math.ceil(k / 64);
  const words = new BigUint64Array(m * wordsPerRow);
  const scale = new Float32Array(m);
  callNative((native) => native.binaryBinarize(v.data, m, k, words, scale));
  return { dtype: 'binary-rows', dims: [...v.dims], wordsPerRow, words, scale };
}

export interface BinaryGemmOptions {
  /** Float32 input: binarize it (XNOR-Net, default) or keep it float32 (binary weights only). */
  activations?: 'binary' | 'float32';
  /** Default 'float32'; 'int32' (the dots) needs binary activations. */
  output?: 'int32' | 'float32';
  /** A caller-provided output of M * N elements (no allocation). */
  out?: Int32Array | Float32Array;
  isa?: IsaName;
}

export interface BinaryGemmResult {
  type: 'int32' | 'float32';
  data: Int32Array | Float32Array;
  dims: number[];
}

function isBinaryActivations(x: unknown): x is BinaryActivations {
  return typeof x === 'object' && x !== null && (x as { dtype?: unknown }).dtype === 'binary-rows';
}

function prepareBinaryGemm(x: Float32Input | BinaryActivations, packed: PackedBinaryWeights, options: BinaryGemmOptions): PreparedCall<BinaryGemmResult> {
  if (!(packed instanceof PackedBinaryWeights)) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'packed', 'PackedBinaryWeights from packBinaryWeights()', packed);
  }
  const output = options.output ?? 'float32';
  if (output !== 'int32' && output !== 'float32') throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.output', "'int32' or 'float32'", output);
  const activations = options.activations ?? 'binary';
  if (activations !== 'binary' && activations !== 'float32') {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.activations', "'binary' or 'float32'", activations);
  }
  if (options.isa !== undefined) assertIsaName(options.isa, 'options.isa');
  const n = packed.n;
  let dims: number[];
  let mode: number;
  let m: number;
  let words: BigUint64Array | null = null;
  let scaleA: Float32Array | null = null;
  let xf: Float32Array | null = null;
  if (isBinaryActivations(x)) {
    if (activations === 'float32') throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.activations', "'binary' for binarized activations", activations);
    dims = x.dims;
    const k = Array.isArray(dims) && dims.length > 0 ? dims[dims.length - 1] : -1;
    if (k !== packed.k) {
      throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `x must be [..., M, ${packed.k}] (K of the packed weights), received dims [${String(dims)}]`);
    }
    m = sizeOf(dims.slice(0, -1), 'x');
    if (!(x.words instanceof BigUint64Array) || x.wordsPerRow !== Math.ceil(k / 64) || x.words.length !== m * x.wordsPerRow) {
      throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `x.words must be a BigUint64Array of ${m * Math.ceil(k / 64)} words (M * ceil(K / 64))`);
    }
    if (!(x.scale instanceof Float32Array) || x.scale.length !== m) {
      throw new QuantaError('ERR_QUANTA_INVALID_SCALE', `x.scale must be a Float32Array of ${m} (M) values`);
    }
    mode = 0;
    words = x.words;
    scaleA = x.scale;
  } else {
    const v = viewFiniteFloat32(x, 'x', activations === 'binary' ? 'the binary scale is mean(|x|)' : 'binary weights x float32 activations');
    dims = v.dims;
    const k = dims.length > 0 ? dims[dims.length - 1]! : -1;
    if (k !== packed.k) {
      throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `x must be [..., M, ${packed.k}] (K of the packed weights), received dims [${dims.join(', ')}]`);
    }
    m = k === 0 ? dims.slice(0, -1).reduce((a, b) => a * b, 1) : v.data.length / k;
    mode = activations === 'binary' ? 1 : 2;
    xf = v.data;
  }
  if (mode === 2 && packed.groupSize > 0) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.activations', "'binary' for weights with group scales", activations);
  }
  if (mode === 2 && output === 'int32') {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options.output', "'float32' with float32 activations", output);
  }
  const size = m * n;
  const Ctor = output === 'int32' ? Int32Array : Float32Array;
  const out: Int32Array | Float32Array = productOutput<Int32Array | Float32Array>(Ctor, size, options.out, { name: 'x', views: [xf, words, scaleA] },
    `a ${Ctor.name} for ${output} output`);
  const handle = packed[kHandle];
  const kind = output === 'int32' ? 0 : 1;
  return {
    run: (native, async) => native.binaryGemm(handle, mode, m, words, scaleA, xf, kind, out, options.isa, async),
    result: { type: output, data: out, dims: [...dims.slice(0, -1), n] },
  };
}

/**
 * Y = X . W for X [..., M, K] (float32, or from binarizeActivations) and packed W; Y is
 * [..., M, N]. Computed off the JS thread (a Promise, as gemm); binaryGemmSync is the twin.
 */
export async function binaryGemm(x: Float32Input | BinaryActivations, packed: PackedBinaryWeights, options: BinaryGemmOptions = {}): Promise<BinaryGemmResult> {
  return runAsync(prepareBinaryGemm(x, packed, options));
}

/** binaryGemm on the calling thread. */
export function binaryGemmSync(x: Float32Input | BinaryActivations, packed: PackedBinaryWeights, options: BinaryGemmOptions = {}): BinaryGemmResult {
  return runSync(prepareBinaryGemm(x, packed, options));
}

/** The paths the binary GEMM kernels run on (the active ones, or `isa`'s). */
export function binaryGemmKernelIsa(isa?: IsaName): { binary: string; float32: string } {
  if (isa !== undefined) assertIsaName(isa);
  const [binary, float32] = callNative((native) => native.binaryKernelIsa(isa));
  return { binary, float32 };
}
