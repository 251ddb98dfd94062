/**
 * How scales map onto a tensor, as ONNX QuantizeLinear / DequantizeLinear (opset 21) define it:
 * one scale (per tensor), a 1-D scale along `axis` (per axis), or with `blockSize` a scale of the
 * input's rank whose dims[axis] is ceil(dims[axis] / blockSize) (blocked).
 */
import { QuantaError, invalid } from '../errors';
import { normalizeAxis, splitAt } from '../tensor';

export const enum ScaleLayout {
  perTensor = 0,
  perAxis = 1,
  blocked = 2,
}

export interface LayoutPlan {
  layout: ScaleLayout;
  outer: number;
  axisLength: number;
  inner: number;
  block: number;
  /** Normalized axis, or null per tensor. */
  axis: number | null;
  blockSize: number | null;
  scaleCount: number;
}

export interface LayoutOptions {
  /** ONNX default 1; negative counts from the end. */
  axis?: number;
  /** > 0 selects blocked quantization along `axis`. */
  blockSize?: number;
}

/**
 * The layout for `dims` given `scaleCount` scales (and the scale's dims when known).
 * Blocked needs blockSize; otherwise one scale is per tensor and more are per axis.
 */
export function planLayout(
  dims: readonly number[],
  scaleCount: number,
  options: LayoutOptions,
  scaleDims?: readonly number[],
): LayoutPlan {
  const size = dims.reduce((a, b) => a * b, 1);
  const blockSize = options.blockSize ?? 0;
  if (!Number.isInteger(blockSize) || blockSize < 0) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'blockSize', 'a non-negative integer', blockSize);
  }
  // A scalar or one-element scale is per tensor whatever the axis (onnxruntime's
  // IsScalarOr1ElementVector rule).
  if (blockSize === 0 && scaleCount === 1) {
    return { layout: ScaleLayout.perTensor, outer: 1, axisLength: size, inner: 1, block: 0, axis: null, blockSize: null, scaleCount: 1 };
  }
  if (dims.length === 0) {
    throw new QuantaError('ERR_QUANTA_INVALID_AXIS', 'a scalar tensor can only be quantized per tensor');
  }
  const axis = normalizeAxis(options.axis ?? 1, dims.length);
  const [outer, axisLength, inner] = splitAt(dims, axis);
  if (blockSize > 0) {
    if (blockSize > axisLength && axisLength > 0) {
      throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'blockSize', `at most dims[${axis}] = ${axisLength}`, blockSize);
    }
    const blocks = Math.ceil(axisLength / blockSize);
    const want = outer * blocks * inner;
    if (scaleDims !== undefined && scaleDims.length !== dims.length) {
      throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `blocked scale must have the input's rank ${dims.length}, received rank ${scaleDims.length}`);
    }
    if (scaleDims !== undefined && scaleDims.some((d, i) => d !== (i === axis ? blocks : dims[i]))) {
      throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `blocked scale dims must be [${dims.map((d, i) => (i === axis ? blocks : d)).join(', ')}], received [${scaleDims.join(', ')}]`);
    }
    if (scaleCount !== want) {
      throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `blocked quantization of dims [${dims.join(', ')}] along axis ${axis} with blockSize ${blockSize} needs ${want} scales, received ${scaleCount}`);
    }
    return { layout: ScaleLayout.blocked, outer, axisLength, inner, block: blockSize, axis, blockSize, scaleCount };
  }
  if (scaleCount !== axisLength) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `per-axis quantization along axis ${axis} needs ${axisLength} scales (dims[${axis}]), received ${scaleCount}`);
  }
  return { layout: ScaleLayout.perAxis, outer, axisLength, inner, block: 0, axis, blockSize: null, scaleCount };
}
