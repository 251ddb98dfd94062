/**
 * Codebook quantization: every value is replaced by the index of one of up to 256 learned levels,
 * fitted by k-means (Lloyd's algorithm) per tensor, per channel (an axis) or per group along an
 * axis, in native code (kernels/ref/kmeans_ref.cc, kernels/x86_avx512vnni/kmeans_avx512.cc,
 * runtime/codebook_ops.cc).
 *
 * The fit, exactly (so it can be re-implemented):
 * - Initialisation, deterministic (no random numbers): sort the unit's values; if it has at most
 *   `levels` distinct values the codebook is those values (the reconstruction is exact; spare
 *   levels repeat the largest value and are never used). Otherwise take the mid-quantiles
 *   sorted[floor((2j + 1) n / (2 levels))], j = 0..levels-1; where repeated values make some equal,
 *   fill the missing levels with distinct values not chosen yet, evenly spaced through them.
 * - Assignment: a value goes to the nearest centroid, a tie to the lower index. Centroids are
 *   kept sorted; the boundary between neighbours is their midpoint computed in float64.
 * - Update: a centroid becomes the mean of its values, summed in float64 in a fixed order (lane
 *   i % 8 of each cluster, lanes combined pairwise), divided in float64, rounded to float32.
 *   An empty cluster keeps its previous centroid. The centroids are re-sorted.
 * - It stops after `iterations` updates or as soon as an update changes nothing; the codes are
 *   then the assignment to the final codebook.
 * Every ISA path and thread count gives the same codes and codebooks bit for bit.
 */
import { QuantaError, invalid } from './errors';
import { callNative } from './native';
import { ScaleLayout } from './ops/layout';
import { packCodes, unpackCodes } from './pack';
import type { IsaName } from './probe';
import { assertIsaName } from './probe';
import type { Float32Tensor } from './tensor';
import { float32Tensor, normalizeAxis, sizeOf, splitAt, viewFloat32 } from './tensor';

export interface CodebookOptions {
  /** Number of levels in each codebook, 2 to 256. */
  levels: number;
  /** One codebook per index of this axis (per channel), or the axis groups run along. */
  axis?: number;
  /** One codebook per group of this many consecutive values along `axis` (default: the last). */
  groupSize?: number;
  /** Lloyd iterations at most (default 25; 0 keeps the initial quantile codebook). */
  iterations?: number;
  /** Pack two codes per byte (4-bit, ONNX order: element 2i in the low nibble); levels <= 16. */
  packed?: boolean;
  /** Run on this path instead of the active one (tests, benchmarks). */
  isa?: IsaName;
}

/**
 * A codebook-quantized tensor. `codebooks` holds `levels` ascending float32 values per unit: one
 * unit per tensor, per index of `axis`, or (with `groupSize`) laid out like blocked scales, the
 * input's dims with dims[axis] = ceil(dims[axis] / groupSize), flattened.
 */
export interface CodebookTensor {
  dtype: 'codebook';
  dims: number[];
  /** One code per value (bits 8), or two per byte in ONNX nibble order (bits 4). */
  codes: Uint8Array;
  bits: 8 | 4;
  levels: number;
  codebooks: Float32Array;
  axis: number | null;
  groupSize: number | null;
}

export const CODEBOOK_DEFAULT_ITERATIONS = 25;

interface Plan {
  layout: ScaleLayout;
  outer: number;
  axisLength: number;
  inner: number;
  block: number;
  units: number;
  axis: number | null;
  groupSize: number | null;
}

function plan(dims: readonly number[], axisOption: number | undefined, groupSize: number | undefined, name: string): Plan {
  const n = sizeOf(dims, name);
  if (axisOption === undefined && groupSize === undefined) {
    return { layout: ScaleLayout.perTensor, outer: 1, axisLength: n, inner: 1, block: 0, units: 1, axis: null, groupSize: null };
  }
  if (dims.length === 0) throw new QuantaError('ERR_QUANTA_INVALID_AXIS', 'a scalar tensor can only have one codebook (per tensor)');
  const axis = normalizeAxis(axisOption ?? dims.length - 1, dims.length);
  const [outer, axisLength, inner] = splitAt(dims, axis);
  if (groupSize === undefined) {
    return { layout: ScaleLayout.perAxis, outer, axisLength, inner, block: 0, units: axisLength, axis, groupSize: null };
  }
  if (!Number.isSafeInteger(groupSize) || groupSize < 1 || (axisLength > 0 && groupSize > axisLength)) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'groupSize', `an integer in [1, dims[${axis}] = ${axisLength}]`, groupSize);
  }
  const units = outer * Math.ceil(axisLength / groupSize) * inner;
  return { layout: ScaleLayout.blocked, outer, axisLength, inner, block: groupSize, units, axis, groupSize };
}

function checkIsa(isa: unknown): IsaName | undefined {
  if (isa === undefined) return undefined;
  assertIsaName(isa);
  return isa;
}

/** Fits k-means codebooks to float32 `x` and encodes every value as the index of its level. */
export function quantizeCodebook(x: unknown, options: CodebookOptions): CodebookTensor {
  const input = viewFloat32(x, 'x');
  if (typeof options !== 'object' || options === null) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'options', 'an object with levels', options);
  }
  const { levels } = options;
  if (!Number.isInteger(levels) || levels < 2 || levels > 256) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'levels', 'an integer in [2, 256]', levels);
  }
  const iterations = options.iterations ?? CODEBOOK_DEFAULT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 0 || iterations > 10_000) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'iterations', 'an integer in [0, 10000]', iterations);
  }
  const packed = options.packed ?? false;
  if (typeof packed !== 'boolean') throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'packed', 'a boolean', packed);
  if (packed && levels > 16) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'levels', 'at most 16 when packed (4-bit codes)', levels);
  const p = plan(input.dims, options.axis, options.groupSize, 'x');
  const isa = checkIsa(options.isa);

  const { data } = input;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new QuantaError('ERR_QUANTA_NON_FINITE', `x[${i}] is ${data[i]}: k-means needs finite values`);
    }
  }
  const codes = new Uint8Array(data.length);
  const codebooks = new Float32Array(p.units * levels);
  callNative((native) =>
    native.codebookFit(data, codebooks, codes, p.outer, p.axisLength, p.inner, p.layout, p.block, levels, iterations, isa),
  );
  return {
    dtype: 'codebook',
    dims: input.dims,
    codes: packed ? packCodes('uint4', codes) : codes,
    bits: packed ? 4 : 8,
    levels,
    codebooks,
    axis: p.axis,
    groupSize: p.groupSize,
  };
}

/** The codes of `q`, one per byte, after checking that q is a consistent CodebookTensor. */
function readCodebookTensor(q: unknown): { t: CodebookTensor; codes: Uint8Array; plan: Plan } {
  const t = q as CodebookTensor;
  if (typeof t !== 'object' || t === null || t.dtype !== 'codebook' || !Array.isArray(t.dims)) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'q', "a CodebookTensor (dtype 'codebook')", q);
  }
  if (!Number.isInteger(t.levels) || t.levels < 1 || t.levels > 256) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'q.levels', 'an integer in [1, 256]', t.levels);
  }
  if (t.bits !== 8 && t.bits !== 4) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'q.bits', '8 or 4', t.bits);
  if (!(t.codes instanceof Uint8Array)) throw invalid('ERR_QUANTA_INVALID_DTYPE', 'q.codes', 'a Uint8Array', t.codes);
  if (!(t.codebooks instanceof Float32Array)) throw invalid('ERR_QUANTA_INVALID_DTYPE', 'q.codebooks', 'a Float32Array', t.codebooks);
  const p = plan(t.dims, t.axis ?? undefined, t.groupSize ?? undefined, 'q');
  const n = sizeOf(t.dims, 'q');
  const byteLength = t.bits === 4 ? Math.ceil(n / 2) : n;
  if (t.codes.length !== byteLength) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `q.codes must have ${byteLength} bytes for dims [${t.dims.join(', ')}] at ${t.bits} bits, received ${t.codes.length}`);
  }
  if (t.codebooks.length !== p.units * t.levels) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `q.codebooks must have ${p.units} x ${t.levels} values, received ${t.codebooks.length}`);
  }
  const codes = t.bits === 4 ? (unpackCodes('uint4', t.codes, n) as Uint8Array) : t.codes;
  for (let i = 0; i < codes.length; i++) {
    if (codes[i]! >= t.levels) {
      throw new QuantaError('ERR_QUANTA_INVALID_ARGUMENT', `q.codes[${i}] is ${codes[i]}, expected a code below levels = ${t.levels}`);
    }
  }
  return { t, codes, plan: p };
}

/** Reads a CodebookTensor back to float32: each code replaced by its unit's level (exact). */
export function dequantizeCodebook(q: CodebookTensor): Float32Tensor {
  const { t, codes, plan: p } = readCodebookTensor(q);
  const y = new Float32Array(codes.length);
  callNative((native) =>
    native.codebookLookup(codes, t.codebooks, y, p.outer, p.axisLength, p.inner, p.layout, p.block, t.levels),
  );
  return float32Tensor(y, [...t.dims]);
}

/** The path the k-means kernels run on now (or would run on for `isa`). */
export function codebookKernelIsa(isa?: IsaName): IsaName {
  const name = checkIsa(isa);
  return callNative((native) => native.codebookKernelIsa(name)) as IsaName;
}
