// A one-node ONNX model, Y = MatMulNBits(A, B, scales[, zero_points]) (com.microsoft, bits = 4),
// with B, scales and zero points as initializers (so onnxruntime prepacks them, as it does for a
// real model), written straight as protobuf bytes: no ONNX package is needed, and the weights are
// the very bytes quanta packs, so both sides multiply the same model.
//
// Field numbers from onnx/onnx.proto: ModelProto{ir_version 1, graph 7, opset_import 8},
// GraphProto{node 1, name 2, initializer 5, input 11, output 12}, NodeProto{input 1, output 2,
// op_type 4, attribute 5, domain 7}, AttributeProto{name 1, i 3, type 20 (INT = 2)},
// TensorProto{dims 1, data_type 2, name 8, raw_data 9}, ValueInfoProto{name 1, type 2},
// TypeProto{tensor_type 1}, TypeProto.Tensor{elem_type 1, shape 2}, TensorShapeProto{dim 1},
// Dimension{dim_value 1, dim_param 2}, OperatorSetIdProto{domain 1, version 2}.

const FLOAT = 1;
const UINT8 = 2;

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

function concat(parts) {
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const int = (field, v) => Uint8Array.from([...varint(field << 3), ...varint(v)]);
const bytes = (field, b) => concat([Uint8Array.from([...varint((field << 3) | 2), ...varint(b.length)]), b]);
const str = (field, s) => bytes(field, new TextEncoder().encode(s));
const msg = (field, ...parts) => bytes(field, concat(parts));

function tensor(field, name, type, dims, raw) {
  return msg(field, ...dims.map((d) => int(1, d)), int(2, type), str(8, name), bytes(9, new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)));
}

function valueInfo(field, name, type, dims) {
  const shape = msg(2, ...dims.map((d) => (typeof d === 'string' ? msg(1, str(2, d)) : msg(1, int(1, d)))));
  return msg(field, str(1, name), msg(2, msg(1, int(1, type), shape)));
}

const attr = (name, v) => msg(5, str(1, name), int(3, v), int(20, 2));

/**
 * The model's bytes. B: uint8 [N, K / blockSize, blockSize / 2]; scales: float32 [N * K / blockSize];
 * zeroPoints: packed uint8 or null. accuracyLevel 0 computes in float32, 4 quantizes A to int8.
 */
export function matMulNBitsModel({ k, n, blockSize, B, scales, zeroPoints, accuracyLevel }) {
  const kBlocks = k / blockSize;
  const inputs = ['A', 'B', 'scales', ...(zeroPoints ? ['zero_points'] : [])];
  const node = msg(1, ...inputs.map((i) => str(1, i)), str(2, 'Y'), str(4, 'MatMulNBits'), str(7, 'com.microsoft'),
    attr('K', k), attr('N', n), attr('bits', 4), attr('block_size', blockSize), attr('accuracy_level', accuracyLevel));
  const graph = msg(7, node, str(2, 'int4_linear'),
    tensor(5, 'B', UINT8, [n, kBlocks, blockSize / 2], B),
    tensor(5, 'scales', FLOAT, [n * kBlocks], scales),
    ...(zeroPoints ? [tensor(5, 'zero_points', UINT8, [zeroPoints.length], zeroPoints)] : []),
    valueInfo(11, 'A', FLOAT, ['M', k]),
    valueInfo(12, 'Y', FLOAT, ['M', n]));
  return concat([int(1, 8), graph, msg(8, str(1, ''), int(2, 17)), msg(8, str(1, 'com.microsoft'), int(2, 1))]);
}
