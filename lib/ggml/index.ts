// ggml block formats (Q8_0, Q4_0) and onnxruntime's MatMulNBits layout; re-exported from lib/index.ts.
export { GGML_BLOCK_VALUES, GGML_Q4_0_BLOCK_BYTES, GGML_Q8_0_BLOCK_BYTES } from './blocks';
export type { GgmlBlockType, GgmlTensor } from './blocks';
export { quantizeQ8_0, dequantizeQ8_0 } from './q8_0';
export { quantizeQ4_0, dequantizeQ4_0 } from './q4_0';
export { q4_0ToInt4, int4ToQ4_0 } from './q4_0-int4';
export { q8_0ToInt8, int8ToQ8_0 } from './q8_0-int8';
export type { ToGgmlOptions } from './scales';
export { dequantizeMatMulNBits } from './matmul-nbits';
export type { MatMulNBitsWeight, WeightLayout, WeightLayoutOptions } from './matmul-nbits';
export { quantizeMatMulNBits } from './matmul-nbits-quantize';
export type { QuantizeMatMulNBitsOptions } from './matmul-nbits-quantize';
export { q4_0ToMatMulNBits, matMulNBitsToQ4_0 } from './q4_0-matmul-nbits';
