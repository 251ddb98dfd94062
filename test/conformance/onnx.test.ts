/**
 * quanta's ONNX operations against onnxruntime-node 1.30 (test/fixtures/onnx, made by
 * scripts/fixtures/generate-onnx.mjs), bit for bit: integer codes exactly, float32 outputs as bit
 * patterns. Where quanta documents a different rule than onnxruntime (NaN inputs, degenerate
 * DynamicQuantizeLinear ranges), the test checks quanta's documented rule and also pins what
 * onnxruntime does, so a change on either side shows up here.
 */
import { describe, expect, it } from 'vitest';

import { ISA_NAMES, capabilities, dequantizeLinear, dynamicQuantizeLinear, matmulInteger, qlinearMatmul, quantizeLinear } from '../../lib/index.js';
import type { IntQuantDType, IsaName } from '../../lib/index.js';
import type { FixtureTensor } from './fixtures';
import { bitMismatches, bitsOf, bitsOfNumber, floatsFromBits, intMismatches, loadFixture, pack4, unpack4 } from './fixtures';

interface OnnxCase {
  name: string;
  model: string;
  op: string;
  opset: number;
  dtype?: IntQuantDType;
  axis?: number;
  blockSize?: number;
  inputs: Record<string, FixtureTensor>;
  outputs?: Record<string, FixtureTensor>;
  error?: string;
  onnxruntimeError?: string;
  oracle?: string;
}

/** Every kernel path this machine can run: each must agree with onnxruntime on its own. */
const ISAS: IsaName[] = ISA_NAMES.filter((name) => capabilities().unavailable[name] === null);

const RANGE: Record<string, [number, number]> = { uint8: [0, 255], int8: [-128, 127], uint4: [0, 15], int4: [-8, 7] };

function typed(t: FixtureTensor): Uint8Array | Int8Array {
  return t.type === 'int8' ? Int8Array.from(t.data) : Uint8Array.from(t.data);
}

/** Scale argument in the form quantizeLinear takes: one value, a vector, or a blocked tensor. */
function scaleArg(c: OnnxCase): Float32Array | { type: string; data: Float32Array; dims: number[] } {
  const s = c.inputs.scale!;
  const data = floatsFromBits(s.data);
  return c.blockSize !== undefined ? { type: 'float32', data, dims: s.dims } : data;
}

function zeroPointArg(c: OnnxCase): Uint8Array | Int8Array | number[] {
  // 4-bit zero points travel as plain numbers with an explicit dtype (their carrier is 8-bit).
  return c.dtype === 'int4' || c.dtype === 'uint4' ? c.inputs.zp!.data : typed(c.inputs.zp!);
}

function layout(c: OnnxCase): { axis?: number; blockSize?: number } {
  return { axis: c.axis, blockSize: c.blockSize };
}

describe('QuantizeLinear vs onnxruntime', () => {
  const fixture = loadFixture<OnnxCase>('onnx', 'quantize-linear.json');
  it('records the generating versions', () => {
    expect(fixture.versions['onnxruntime-node']).toBe('1.30.0');
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      expect(c.error).toBeUndefined();
      const xs = floatsFromBits(c.inputs.x!.data);
      const x = { type: 'float32', data: xs, dims: c.inputs.x!.dims };
      const dtype = c.dtype!;
      for (const isa of ISAS) {
        const q = quantizeLinear(x, scaleArg(c), zeroPointArg(c), { dtype, ...layout(c), isa });
        expect(q.dtype).toBe(dtype);
        const codes = dtype.endsWith('4') ? unpack4(q.data, xs.length, dtype === 'int4') : Array.from(q.data);
        // onnxruntime is the oracle except where it breaks the ONNX saturation rule (see below):
        // there quanta must give the ONNX definition's code.
        const spec = onnxSpecCodes(c);
        const want = c.outputs!.y!.data.map((v, i) => (v === spec[i] ? v : spec[i]!));
        // NaN has quanta's documented rule (the lowest code, which onnxruntime gives outside its
        // blocked signed path); everything else must match exactly.
        const mask = (a: readonly number[]) => a.map((v, i) => (Number.isNaN(xs[i]) ? 0 : v));
        expect(intMismatches(mask(codes), mask(want), xs), isa).toEqual([]);
        const lowest = RANGE[dtype]![0];
        xs.forEach((v, i) => {
          if (Number.isNaN(v)) expect(codes[i], `${isa}: NaN at ${i} -> lowest code`).toBe(lowest);
        });
      }
    });
  }

  it('onnxruntime breaks ONNX saturation only for infinite or huge x / scale, in its 4-bit and blocked paths', () => {
    // These elements are where quanta (following the ONNX definition) and onnxruntime differ.
    const deviations: string[] = [];
    for (const c of fixture.cases) {
      const xs = floatsFromBits(c.inputs.x!.data);
      const spec = onnxSpecCodes(c);
      c.outputs!.y!.data.forEach((v, i) => {
        if (!Number.isNaN(xs[i]) && v !== spec[i]) deviations.push(`${c.name}: x=${xs[i]} onnxruntime ${v}, ONNX ${spec[i]}`);
      });
    }
    expect(deviations).toEqual([
      'ql21_uint8_axis0_block2 dims=[4,6]: x=Infinity onnxruntime 0, ONNX 255',
      'ql21_uint4_axis1 dims=[3,4,5]: x=1.0000000150474662e+30 onnxruntime 0, ONNX 15',
      'ql21_uint4_axis0_block2 dims=[4,6]: x=Infinity onnxruntime 0, ONNX 15',
      'ql21_int4_axis0_block2 dims=[4,6]: x=-Infinity onnxruntime 7, ONNX -8',
    ]);
  });

  it('onnxruntime maps NaN to the lowest code (blocked signed: lowest or highest), never to the zero point by rule', () => {
    // quanta documents NaN -> lowest code everywhere; onnxruntime's result is an artefact of its
    // kernels (min/max and float-to-int conversion) and differs between its code paths.
    const seen = new Set<string>();
    for (const c of fixture.cases) {
      const xs = floatsFromBits(c.inputs.x!.data);
      const [lo, hi] = RANGE[c.dtype!]!;
      const allowed = c.blockSize !== undefined && lo < 0 ? [lo, hi] : [lo];
      xs.forEach((v, i) => {
        if (Number.isNaN(v)) {
          expect(allowed, c.name).toContain(c.outputs!.y!.data[i]);
          seen.add(c.dtype!);
        }
      });
    }
    expect([...seen].sort()).toEqual(['int4', 'int8', 'uint4', 'uint8']);
  });
});

/** Maps an element index to its scale / zero-point slot for the case's layout. */
function zpSlot(c: OnnxCase): (i: number) => number {
  const dims = c.inputs.x!.dims;
  const nScales = c.inputs.scale!.data.length;
  if (nScales === 1 && c.blockSize === undefined) return () => 0;
  const axis = (c.axis ?? 1) < 0 ? (c.axis ?? 1) + dims.length : (c.axis ?? 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const len = dims[axis]!;
  if (c.blockSize === undefined) return (i) => Math.floor(i / inner) % len;
  const blocks = Math.ceil(len / c.blockSize);
  return (i) => {
    const outer = Math.floor(i / (inner * len));
    const a = Math.floor(i / inner) % len;
    return (outer * blocks + Math.floor(a / c.blockSize!)) * inner + (i % inner);
  };
}

/**
 * Codes by the ONNX definition: saturate(round_half_even(x / scale) + zero_point), the division
 * in float32, +-Inf saturating; NaN is left as NaN (no rule).
 */
function onnxSpecCodes(c: OnnxCase): number[] {
  const xs = floatsFromBits(c.inputs.x!.data);
  const scales = floatsFromBits(c.inputs.scale!.data);
  const zps = c.inputs.zp!.data;
  const [lo, hi] = RANGE[c.dtype!]!;
  const slotOf = zpSlot(c);
  return Array.from(xs, (x, i) => {
    const v = Math.fround(x / scales[slotOf(i)]!);
    const r = Math.round(v);
    const even = r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
    return Math.min(hi, Math.max(lo, even + zps[slotOf(i)]!));
  });
}

describe('DequantizeLinear vs onnxruntime', () => {
  const fixture = loadFixture<OnnxCase>('onnx', 'dequantize-linear.json');
  for (const c of fixture.cases) {
    it(c.name, () => {
      expect(c.error).toBeUndefined();
      const dtype = c.dtype!;
      const codes = c.inputs.x!.data;
      const x = dtype.endsWith('4')
        ? { type: dtype, data: pack4(codes), dims: c.inputs.x!.dims }
        : { type: dtype, data: typed(c.inputs.x!), dims: c.inputs.x!.dims };
      for (const isa of ISAS) {
        const y = dequantizeLinear(x, scaleArg(c), zeroPointArg(c), { ...layout(c), isa });
        expect(y.dims).toEqual(c.outputs!.y!.dims);
        expect(bitMismatches(bitsOf(y.data), c.outputs!.y!.data), isa).toEqual([]);
      }
    });
  }
});

describe('DynamicQuantizeLinear vs onnxruntime', () => {
  const fixture = loadFixture<OnnxCase>('onnx', 'dynamic-quantize-linear.json');
  // Cases where quanta documents a different result (see lib/ops/quantize-linear.ts).
  const documented: Record<string, string> = {
    'with +Inf': 'quanta throws ERR_QUANTA_NON_FINITE; onnxruntime returns scale Inf',
    'with -Inf': 'quanta throws ERR_QUANTA_NON_FINITE; onnxruntime returns scale Inf',
  };
  for (const c of fixture.cases) {
    const xs = floatsFromBits(c.inputs.x!.data);
    const out = c.outputs!;
    if (c.name in documented) {
      it(`${c.name} (documented difference: ${documented[c.name]})`, () => {
        expect(() => dynamicQuantizeLinear(xs)).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_NON_FINITE' }));
        expect(floatsFromBits(out.y_scale!.data)[0]).toBe(Infinity);
      });
      continue;
    }
    it(c.name, () => {
      const r = dynamicQuantizeLinear(xs);
      expect(bitsOfNumber(r.scale), 'scale bits').toBe(out.y_scale!.data[0]);
      expect(r.zeroPoint, 'zero point').toBe(out.y_zero_point!.data[0]);
      // NaN codes included: quanta's rule (lowest code) is what onnxruntime gives here.
      expect(intMismatches(Array.from(r.y.data), out.y!.data, xs)).toEqual([]);
    });
  }
});

describe('MatMulInteger vs onnxruntime', () => {
  const fixture = loadFixture<OnnxCase>('onnx', 'matmul-integer.json');
  for (const c of fixture.cases) {
    it(`${c.name}${c.oracle ? ' (ONNX definition)' : ''}`, () => {
      expect(c.error).toBeUndefined();
      const t = (k: string) => ({ type: c.inputs[k]!.type, data: typed(c.inputs[k]!), dims: c.inputs[k]!.dims });
      const y = matmulInteger(t('a'), t('b'), typed(c.inputs.a_zp!), typed(c.inputs.b_zp!));
      expect(y.dims).toEqual(c.outputs!.y!.dims);
      expect(intMismatches(y.data, c.outputs!.y!.data)).toEqual([]);
    });
  }
});

describe('QLinearMatMul vs onnxruntime', () => {
  const fixture = loadFixture<OnnxCase>('onnx', 'qlinear-matmul.json');
  for (const c of fixture.cases) {
    if (c.error) {
      it.skip(`${c.name} (onnxruntime has no kernel: ${c.error.slice(0, 80)})`, () => {});
      continue;
    }
    it(c.name, () => {
      const t = (k: string) => ({ type: c.inputs[k]!.type, data: typed(c.inputs[k]!), dims: c.inputs[k]!.dims });
      const f = (k: string) => floatsFromBits(c.inputs[k]!.data);
      const bScale = f('b_scale');
      const y = qlinearMatmul(
        t('a'), f('a_scale')[0]!, typed(c.inputs.a_zp!),
        t('b'), bScale.length === 1 ? bScale[0]! : bScale, typed(c.inputs.b_zp!),
        f('y_scale')[0]!, typed(c.inputs.y_zp!),
      );
      expect(y.type).toBe(c.outputs!.y!.type);
      expect(y.dims).toEqual(c.outputs!.y!.dims);
      expect(intMismatches(y.data, c.outputs!.y!.data)).toEqual([]);
    });
  }
});
