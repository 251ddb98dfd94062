// One-node-graph ONNX models built in memory, for onnxruntime-node to load from a buffer: the
// suites (and scripts/fixtures) feed the peer exactly the weights they give quanta, with no model
// files to generate or commit. Only the subset of onnx.proto these graphs use is declared (field numbers as in
// onnx/onnx.proto); protobufjs does the encoding.
import protobuf from 'protobufjs';

const { Type, Field, Root } = protobuf;

const root = new Root().define('onnx');
const add = (name, fields) => {
  const t = new Type(name);
  for (const [fname, id, type, rule] of fields) t.add(new Field(fname, id, type, rule));
  root.lookup('onnx').add(t);
  return t;
};
add('OperatorSetIdProto', [['domain', 1, 'string'], ['version', 2, 'int64']]);
add('TensorProto', [['dims', 1, 'int64', 'repeated'], ['dataType', 2, 'int32'], ['name', 8, 'string'], ['rawData', 9, 'bytes']]);
add('AttributeProto', [['name', 1, 'string'], ['i', 3, 'int64'], ['type', 20, 'int32']]);
add('NodeProto', [['input', 1, 'string', 'repeated'], ['output', 2, 'string', 'repeated'], ['name', 3, 'string'], ['opType', 4, 'string'],
  ['attribute', 5, 'AttributeProto', 'repeated'], ['domain', 7, 'string']]);
add('Dimension', [['dimValue', 1, 'int64'], ['dimParam', 2, 'string']]);
add('TensorShapeProto', [['dim', 1, 'Dimension', 'repeated']]);
add('TensorTypeProto', [['elemType', 1, 'int32'], ['shape', 2, 'TensorShapeProto']]);
add('TypeProto', [['tensorType', 1, 'TensorTypeProto']]);
add('ValueInfoProto', [['name', 1, 'string'], ['type', 2, 'TypeProto']]);
add('GraphProto', [['node', 1, 'NodeProto', 'repeated'], ['name', 2, 'string'], ['initializer', 5, 'TensorProto', 'repeated'],
  ['input', 11, 'ValueInfoProto', 'repeated'], ['output', 12, 'ValueInfoProto', 'repeated']]);
const ModelProto = add('ModelProto', [['irVersion', 1, 'int64'], ['producerName', 2, 'string'], ['graph', 7, 'GraphProto'],
  ['opsetImport', 8, 'OperatorSetIdProto', 'repeated']]);

/** ONNX TensorProto.DataType codes. */
export const DT = { float: 1, uint8: 2, int8: 3, int32: 6 };

const valueInfo = (name, elemType, dims) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
});

/** An initializer from a TypedArray (raw little-endian bytes). */
export const initializer = (name, dataType, dims, data) => ({
  name, dataType, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
});

/**
 * Encodes a one-node model. inputs / outputs: [name, elemType, dims] (a string dim is symbolic);
 * node: { opType, inputs, outputs, domain?, attributes?: { name: int } }.
 */
export function oneNodeModel({ node, inputs, outputs, initializers = [], opset = 17 }) {
  const attribute = Object.entries(node.attributes ?? {}).map(([name, i]) => ({ name, i, type: 2 /* INT */ }));
  const message = ModelProto.create({
    irVersion: 8,
    producerName: 'quanta-bench',
    opsetImport: [{ domain: '', version: opset }, { domain: 'com.microsoft', version: 1 }],
    graph: {
      name: node.opType,
      node: [{ opType: node.opType, domain: node.domain ?? '', input: node.inputs, output: node.outputs, name: 'n0', attribute }],
      initializer: initializers,
      input: inputs.map(([n, t, d]) => valueInfo(n, t, d)),
      output: outputs.map(([n, t, d]) => valueInfo(n, t, d)),
    },
  });
  return ModelProto.encode(message).finish();
}

/**
 * Y = MatMulNBits(A, B, scales[, zero_points]) (com.microsoft, bits = 4) with the weights as
 * initializers. B: uint8 [N, K / blockSize, blockSize / 2]; scales: float32 [N * K / blockSize];
 * zeroPoints: packed uint8 or null. accuracyLevel 0 computes in float32, 4 quantizes A to int8.
 */
export function matMulNBitsModel({ k, n, blockSize, B, scales, zeroPoints, accuracyLevel }) {
  // B holds whole blocks: a partial last block is padded (MatMulNBits' layout).
  const kBlocks = Math.ceil(k / blockSize);
  return oneNodeModel({
    node: {
      opType: 'MatMulNBits', domain: 'com.microsoft', inputs: ['A', 'B', 'scales', ...(zeroPoints ? ['zero_points'] : [])], outputs: ['Y'],
      attributes: { K: k, N: n, bits: 4, block_size: blockSize, accuracy_level: accuracyLevel },
    },
    inputs: [['A', DT.float, ['M', k]]],
    outputs: [['Y', DT.float, ['M', n]]],
    initializers: [
      initializer('B', DT.uint8, [n, kBlocks, blockSize / 2], B),
      initializer('scales', DT.float, [n * kBlocks], scales),
      ...(zeroPoints ? [initializer('zero_points', DT.uint8, [zeroPoints.length], zeroPoints)] : []),
    ],
  });
}
