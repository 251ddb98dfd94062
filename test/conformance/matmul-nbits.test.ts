/**
 * int4Linear on weights packed from MatMulNBits tensors against onnxruntime-node 1.30's
 * MatMulNBits (test/fixtures/onnx/matmul-nbits.json, made by
 * scripts/fixtures/generate-matmul-nbits.mjs): this pins our reading of its layout (nibble order,
 * scale order, zero points two per byte, the default 8, a partial last block). The float order differs between the two
 * engines, so outputs are compared within twice the float32 bound both satisfy against the exact
 * product (lib/int4-linear.ts): |y - y_ort| <= 2 (G + groups + 2) 2^-23 sum_k |a w|.
 */
import { describe, expect, it } from 'vitest';

import { ISA_NAMES, capabilities, int4LinearSync, packInt4FromMatMulNBits } from '../../lib/index.js';
import type { IsaName } from '../../lib/index.js';
import type { FixtureTensor } from './fixtures';
import { floatsFromBits, loadFixture } from './fixtures';

interface NBitsCase {
  name: string;
  M: number;
  K: number;
  N: number;
  blockSize: number;
  inputs: { A: FixtureTensor; B: FixtureTensor; scales: FixtureTensor; zero_points?: FixtureTensor };
  outputs: { Y: FixtureTensor };
}

const ISAS: IsaName[] = ISA_NAMES.filter((name) => capabilities().unavailable[name] === null);
const fixture = loadFixture<NBitsCase>('onnx', 'matmul-nbits.json');

describe(`MatMulNBits (onnxruntime-node ${fixture.versions['onnxruntime-node']})`, () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const A = floatsFromBits(c.inputs.A.data);
      const B = Uint8Array.from(c.inputs.B.data);
      const scales = floatsFromBits(c.inputs.scales.data);
      const zp = c.inputs.zero_points ? Uint8Array.from(c.inputs.zero_points.data) : undefined;
      const want = floatsFromBits(c.outputs.Y.data);
      const groups = Math.ceil(c.K / c.blockSize);
      const perColumn = Math.ceil(groups / 2);
      // Exact weights (u - z) * s in float64, and each output's bound.
      const bound = new Float64Array(c.M * c.N);
      for (let n = 0; n < c.N; n++) {
        for (let k = 0; k < c.K; k++) {
          const g = Math.floor(k / c.blockSize);
          const e = n * groups * c.blockSize + k; // B's rows hold whole blocks
          const u = (B[e >> 1]! >> ((e & 1) * 4)) & 0x0f;
          const z = zp ? (zp[n * perColumn + (g >> 1)]! >> ((g & 1) * 4)) & 0x0f : 8;
          const w = (u - z) * scales[n * groups + g]!;
          for (let m = 0; m < c.M; m++) bound[m * c.N + n] += Math.abs(A[m * c.K + k]! * w);
        }
      }
      const factor = 2 * (c.blockSize + groups + 2) * 2 ** -23;
      const packed = packInt4FromMatMulNBits(B, scales, zp, { k: c.K, n: c.N, blockSize: c.blockSize });
      for (const isa of ISAS) {
        const y = int4LinearSync({ type: 'float32', data: A, dims: [c.M, c.K] }, packed, { isa });
        expect(y.dims).toEqual(c.outputs.Y.dims);
        for (let i = 0; i < want.length; i++) {
          const err = Math.abs(y.data[i]! - want[i]!);
          if (!(err <= factor * bound[i]!)) expect.fail(`${isa} y[${i}] = ${y.data[i]}, onnxruntime ${want[i]}: error ${err} > ${factor * bound[i]!}`);
        }
      }
    });
  }
});
