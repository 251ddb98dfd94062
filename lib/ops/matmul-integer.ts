/**
 * ONNX MatMulInteger and QLinearMatMul on int8 / uint8 inputs. A may carry leading batch
 * dimensions ([..., M, K]); B is [K, N] (the weight case). Zero points: per tensor, per row of A
 * (M values) or per column of B (N values), as onnxruntime accepts them.
 * Both run on the int8 GEMM engine (lib/gemm.ts): B is packed for the call, A's batch dimensions
 * become rows, and QLinearMatMul's requantization is the engine's fused epilogue.
 */
import type { IntQuantDType } from '../dtypes';
import { QuantaError, invalid } from '../errors';
import { gemmSync, packWeights } from '../gemm';
import type { IsaName } from '../probe';
import { assertIsaName } from '../probe';
import type { IntInput, ZeroPointInput } from '../tensor';
import { viewTensor } from '../tensor';
import { readScales, readZeroPoints } from './scalars';

export interface Int32Tensor {
  type: 'int32';
  data: Int32Array;
  dims: number[];
}

interface IntMatrix {
  dtype: 'int8' | 'uint8';
  data: Int8Array | Uint8Array;
  dims: number[];
}

/**
 * Sums of products of int8 codes fit int32 for K up to this (255 * 128 per product: u8 x s8 with
 * zero zero points). The exact bound depends on the zero points (255 * 255 per product at worst:
 * K <= 33025); beyond it the engine refuses with ERR_QUANTA_INVALID_SHAPE.
 */
export const MATMUL_INTEGER_MAX_K = 65793;

function readIntMatrix(x: unknown, name: string): IntMatrix {
  const t = viewTensor(x, name);
  if (t.data instanceof Int8Array) return { dtype: 'int8', data: t.data, dims: t.dims };
  if (t.data instanceof Uint8Array && t.type !== 'int4' && t.type !== 'uint4') return { dtype: 'uint8', data: t.data, dims: t.dims };
  throw invalid('ERR_QUANTA_INVALID_DTYPE', name, 'int8 or uint8', t.data);
}

function shapes(a: IntMatrix, b: IntMatrix): { batch: number; m: number; k: number; n: number; outDims: number[] } {
  if (a.dims.length < 1 || b.dims.length !== 2) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `a must be [..., M, K] and b [K, N], received [${a.dims.join(', ')}] and [${b.dims.join(', ')}]`);
  }
  const aDims = a.dims.length === 1 ? [1, a.dims[0]!] : a.dims;
  const k = aDims[aDims.length - 1]!;
  const m = aDims[aDims.length - 2]!;
  const [kb, n] = b.dims as [number, number];
  if (k !== kb) throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `a's last dim (${k}) must equal b's first dim (${kb})`);
  if (k > MATMUL_INTEGER_MAX_K) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `K = ${k} exceeds ${MATMUL_INTEGER_MAX_K}, beyond which int32 accumulation can overflow`);
  }
  const batch = aDims.slice(0, -2).reduce((x, y) => x * y, 1);
  const outDims = a.dims.length === 1 ? [n] : [...a.dims.slice(0, -1), n];
  return { batch, m, k, n, outDims };
}

function zeroPoints(zp: unknown, dtype: IntQuantDType, allowed: number, name: string): Int32Array {
  if (zp === undefined || zp === null) return new Int32Array(1);
  const count = typeof zp === 'number' ? 1 : ((zp as { length?: number }).length ?? (zp as { data: ArrayLike<number> }).data?.length ?? 1);
  if (count !== 1 && count !== allowed) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `${name} must have 1 or ${allowed} elements, received ${count}`);
  }
  return readZeroPoints(zp, count, dtype, name);
}

export interface MatmulIntegerOptions {
  isa?: IsaName;
}

/** Both ops' operands, checked: A with its batch folded into rows, B and the zero points. */
function readOperands(a: IntInput, b: IntInput, aZeroPoint: ZeroPointInput | undefined, bZeroPoint: ZeroPointInput | undefined, options: MatmulIntegerOptions) {
  const A = readIntMatrix(a, 'a');
  const B = readIntMatrix(b, 'b');
  const s = shapes(A, B);
  const azp = zeroPoints(aZeroPoint, A.dtype, s.m, 'aZeroPoint');
  const bzp = zeroPoints(bZeroPoint, B.dtype, s.n, 'bZeroPoint');
  if (options.isa !== undefined) assertIsaName(options.isa);
  return {
    s,
    rows: { type: A.dtype, data: A.data, dims: [s.batch * s.m, s.k] },
    aZeroPoint: rowZeroPoints(azp, s.batch),
    pack: (scale?: Float32Array) => packWeights({ type: B.dtype, data: B.data, dims: [s.k, s.n] }, { layout: 'kn', zeroPoint: bzp, scale }),
  };
}

/** ONNX MatMulInteger: int32 Y = (A - aZeroPoint) (B - bZeroPoint). */
export function matmulInteger(a: IntInput, b: IntInput, aZeroPoint?: ZeroPointInput, bZeroPoint?: ZeroPointInput, options: MatmulIntegerOptions = {}): Int32Tensor {
  const op = readOperands(a, b, aZeroPoint, bZeroPoint, options);
  const y = gemmSync(op.rows, op.pack(), { aZeroPoint: op.aZeroPoint, isa: options.isa });
  return { type: 'int32', data: y.data as Int32Array, dims: op.s.outDims };
}

/** A per-row zero point (M values) repeats for every matrix of the batch. */
function rowZeroPoints(zp: Int32Array, batch: number): Int32Array {
  if (zp.length === 1 || batch === 1) return zp;
  const out = new Int32Array(zp.length * batch);
  for (let i = 0; i < batch; i++) out.set(zp, i * zp.length);
  return out;
}

/**
 * ONNX QLinearMatMul as onnxruntime computes it: the int32 product requantized with the float32
 * multiplier aScale * bScale / yScale (per column when bScale has N values), rounding half to
 * even, plus yZeroPoint, saturated to yZeroPoint's type (uint8 unless an Int8Array is given).
 */
export function qlinearMatmul(
  a: IntInput, aScale: number, aZeroPoint: ZeroPointInput | undefined,
  b: IntInput, bScale: number | Float32Array, bZeroPoint: ZeroPointInput | undefined,
  yScale: number, yZeroPoint: ZeroPointInput | undefined,
  options: MatmulIntegerOptions = {},
): { type: 'int8' | 'uint8'; data: Int8Array | Uint8Array; dims: number[] } {
  const op = readOperands(a, b, aZeroPoint, bZeroPoint, options);
  const { s } = op;
  const as = readScales(aScale, 'aScale').data;
  const ys = readScales(yScale, 'yScale').data[0]!;
  const bs = readScales(bScale, 'bScale').data;
  if (bs.length !== 1 && bs.length !== s.n) throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `bScale must have 1 or ${s.n} elements, received ${bs.length}`);
  const dtype = yZeroPoint instanceof Int8Array || (typeof yZeroPoint === 'object' && (yZeroPoint as { type?: string })?.type === 'int8') ? 'int8' : 'uint8';
  const yzp = readZeroPoints(yZeroPoint ?? 0, 1, dtype, 'yZeroPoint')[0]!;
  // The engine forms the multiplier as onnxruntime does: fround(fround(aScale * bScale) / yScale).
  const y = gemmSync(op.rows, op.pack(bs), {
    aZeroPoint: op.aZeroPoint, aScale: as, output: dtype, outScale: ys, outZeroPoint: yzp, isa: options.isa,
  });
  return { type: dtype, data: y.data as Int8Array | Uint8Array, dims: s.outDims };
}
