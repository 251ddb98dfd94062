/**
 * computeQuantParams({ profile: 'onnxruntime' }) against onnxruntime's quantization tool,
 * onnxruntime/python/tools/quantization/quant_utils.py (the revision with INT4/UINT4 support),
 * which is not installed here: every expected value below is derived by hand from that source:
 *
 *   get_qmin_qmax_for_qType(qType, reduce_range, symmetric):
 *     reduce_range          -> ONNX_INT_TYPE_REDUCED_RANGE:   uint8 [0, 127], int8 [-64, 64],
 *                                                            uint4 [0, 7],   int4 [-4, 3]
 *     symmetric (if listed) -> ONNX_INT_TYPE_SYMMETRIC_RANGE: uint8 [0, 254], int8 [-127, 127]
 *                              (no 4-bit entries: int4 / uint4 keep their full range)
 *     otherwise             -> ONNX_INT_TYPE_RANGE:           uint8 [0, 255], int8 [-128, 127],
 *                                                            uint4 [0, 15],  int4 [-8, 7]
 *   compute_scale_zp(rmin, rmax, qmin, qmax, symmetric):
 *     rmin = min(rmin, 0); rmax = max(rmax, 0)           (float32 numpy scalars)
 *     symmetric: absmax = max(|rmin|, |rmax|); rmin = -absmax; rmax = absmax
 *     scale = float64(rmax - rmin) / (float64(qmax) - float64(qmin))   (the difference in float32)
 *     scale < float32 tiny -> scale 1, zero point 0
 *     symmetric -> zero point round((qmin + qmax) / 2.0); else round(qmin - rmin / scale)
 *                  (numpy.round: half to even; scale still float64 here), then scale -> float32
 */
import { describe, expect, it } from 'vitest';

import { computeQuantParams } from '../../lib/index.js';
import type { IntQuantDType } from '../../lib/index.js';

const f32 = Math.fround;

interface Expected {
  dtype: IntQuantDType;
  rmin: number;
  rmax: number;
  symmetric?: boolean;
  reduceRange?: boolean;
  qmin: number;
  qmax: number;
  scale: number;
  zeroPoint: number;
  why: string;
}

const CASES: Expected[] = [
  { dtype: 'int8', rmin: -1, rmax: 3, qmin: -128, qmax: 127, scale: f32(4 / 255), zeroPoint: -64, why: 'round(-128 + 63.75) = -64' },
  { dtype: 'uint8', rmin: -1, rmax: 3, qmin: 0, qmax: 255, scale: f32(4 / 255), zeroPoint: 64, why: 'round(63.75) = 64' },
  { dtype: 'int8', rmin: -1, rmax: 3, symmetric: true, qmin: -127, qmax: 127, scale: f32(6 / 254), zeroPoint: 0, why: 'symmetric int8 range [-127, 127]' },
  { dtype: 'uint8', rmin: -1, rmax: 3, symmetric: true, qmin: 0, qmax: 254, scale: f32(6 / 254), zeroPoint: 127, why: 'symmetric uint8 range [0, 254]; round(254 / 2) = 127' },
  { dtype: 'int8', rmin: -1, rmax: 3, reduceRange: true, qmin: -64, qmax: 64, scale: f32(4 / 128), zeroPoint: -32, why: 'reduced int8 [-64, 64]; round(-64 + 32)' },
  { dtype: 'int8', rmin: -1, rmax: 3, symmetric: true, reduceRange: true, qmin: -64, qmax: 64, scale: f32(6 / 128), zeroPoint: 0, why: 'reduce_range wins over symmetric' },
  { dtype: 'uint8', rmin: -1, rmax: 3, reduceRange: true, qmin: 0, qmax: 127, scale: f32(4 / 127), zeroPoint: 32, why: 'round(31.75) = 32' },
  { dtype: 'uint8', rmin: -1, rmax: 3, symmetric: true, reduceRange: true, qmin: 0, qmax: 127, scale: f32(6 / 127), zeroPoint: 64, why: 'round(63.5) = 64 (half to even)' },
  { dtype: 'int4', rmin: -1, rmax: 3, qmin: -8, qmax: 7, scale: f32(4 / 15), zeroPoint: -4, why: 'round(-8 + 3.75) = -4' },
  { dtype: 'int4', rmin: -1, rmax: 3, symmetric: true, qmin: -8, qmax: 7, scale: f32(6 / 15), zeroPoint: 0, why: 'no int4 symmetric entry: full [-8, 7]; round(-0.5) = 0' },
  { dtype: 'int4', rmin: -1, rmax: 3, reduceRange: true, qmin: -4, qmax: 3, scale: f32(4 / 7), zeroPoint: -2, why: 'reduced int4 [-4, 3]; round(-4 + 1.75) = -2' },
  { dtype: 'uint4', rmin: -1, rmax: 3, symmetric: true, qmin: 0, qmax: 15, scale: f32(6 / 15), zeroPoint: 8, why: 'round(7.5) = 8' },
  { dtype: 'uint4', rmin: -1, rmax: 3, reduceRange: true, qmin: 0, qmax: 7, scale: f32(4 / 7), zeroPoint: 2, why: 'round(1.75) = 2' },
  { dtype: 'int8', rmin: 0, rmax: 0, qmin: -128, qmax: 127, scale: 1, zeroPoint: 0, why: 'scale 0 < tiny -> 1, 0' },
  { dtype: 'uint8', rmin: 0, rmax: 0, symmetric: true, qmin: 0, qmax: 254, scale: 1, zeroPoint: 0, why: 'scale 0 < tiny -> 1, 0 (before the symmetric zero point)' },
  { dtype: 'int8', rmin: 0.5, rmax: 2, qmin: -128, qmax: 127, scale: f32(2 / 255), zeroPoint: -128, why: 'rmin widened to 0' },
  { dtype: 'uint8', rmin: -2, rmax: -0.5, qmin: 0, qmax: 255, scale: f32(2 / 255), zeroPoint: 255, why: 'rmax widened to 0' },
  { dtype: 'uint8', rmin: -127.5, rmax: 127.5, qmin: 0, qmax: 255, scale: 1, zeroPoint: 128, why: 'round(127.5) = 128 (half to even)' },
  { dtype: 'int8', rmin: -127.5, rmax: 127.5, qmin: -128, qmax: 127, scale: 1, zeroPoint: 0, why: 'round(-0.5) = 0 (half to even)' },
  { dtype: 'uint8', rmin: -0.5, rmax: 1.5, qmin: 0, qmax: 255, scale: f32(2 / 255), zeroPoint: 64, why: 'round(63.75) = 64' },
  {
    dtype: 'uint8', rmin: f32(-0.1), rmax: f32(0.7), qmin: 0, qmax: 255,
    // float32 difference, float64 division, zero point from the float64 scale.
    scale: f32(f32(f32(0.7) - f32(-0.1)) / 255), zeroPoint: Math.round(-f32(-0.1) / (f32(f32(0.7) - f32(-0.1)) / 255)),
    why: 'scale in float64 from the float32 difference',
  },
  { dtype: 'int8', rmin: -1e-39, rmax: 1e-39, symmetric: true, qmin: -127, qmax: 127, scale: 1, zeroPoint: 0, why: 'subnormal range: scale below tiny -> 1, 0' },
];

describe("computeQuantParams({ profile: 'onnxruntime' }) vs onnxruntime quant_utils.compute_scale_zp", () => {
  for (const c of CASES) {
    const label = `${c.dtype} [${c.rmin}, ${c.rmax}]${c.symmetric ? ' symmetric' : ''}${c.reduceRange ? ' reduce_range' : ''}: ${c.why}`;
    it(label, () => {
      const p = computeQuantParams(c.rmin, c.rmax, { dtype: c.dtype, symmetric: c.symmetric, reduceRange: c.reduceRange, profile: 'onnxruntime' });
      expect({ qmin: p.qmin, qmax: p.qmax, scale: p.scale, zeroPoint: p.zeroPoint }).toEqual({ qmin: c.qmin, qmax: c.qmax, scale: c.scale, zeroPoint: c.zeroPoint });
    });
  }
});
