/**
 * quanta: neural-network quantization for Node.js. The public surface, and nothing else.
 */
export { QuantaError } from './errors';
export type { QuantaErrorCode } from './errors';

export { capabilities, isa, setIsa, numThreads, setNumThreads, ISA_NAMES } from './probe';
export type { Capabilities, CudaCapabilities, IsaName } from './probe';
export { timeRead, measureReadBandwidth } from './bandwidth';
export type { ReadTiming, ReadBandwidth } from './bandwidth';

export { INT_QUANT_DTYPES, INT_RANGES } from './dtypes';
export type { IntQuantDType } from './dtypes';
export type { TensorLike, TypedArray, Float32Tensor, QuantizedTensor, QuantScheme, Float32Input, ScaleInput, ZeroPointInput, IntInput } from './tensor';

export { computeQuantParams, quantRange, roundHalfEven } from './params';
export type { ParamsOptions, ParamsProfile, QuantParams } from './params';

export { quantizeLinear, dequantizeLinear, dynamicQuantizeLinear } from './ops/quantize-linear';
export type { QuantizeLinearOptions, DequantizeLinearOptions, DynamicQuantizeResult } from './ops/quantize-linear';
export { requantize, requantizeFixedPoint, quantizeMultiplier } from './ops/requantize';
export type { RequantizeOptions, FixedPointMultiplier } from './ops/requantize';
export { matmulInteger, qlinearMatmul, MATMUL_INTEGER_MAX_K } from './ops/matmul-integer';
export type { Int32Tensor, MatmulIntegerOptions } from './ops/matmul-integer';
export { packWeights, loadPackedWeights, gemm, gemmSync, gemmKernelIsa, PackedWeights } from './gemm';
export { packBinaryWeights, binarizeActivations, binaryGemm, binaryGemmSync, binaryGemmKernelIsa, PackedBinaryWeights } from './binary-gemm';
export type { PackBinaryWeightsOptions, BinaryActivations, BinaryGemmOptions, BinaryGemmResult, BinaryWeightLayout } from './binary-gemm';
export type { PackWeightsOptions, GemmOptions, GemmResult, GemmOutputType, GemmWeightLayout } from './gemm';
export { dynamicQuantizeMatmul, dynamicQuantizeMatmulSync } from './gemm-dynamic';
export type { DynamicQuantizeMatmulOptions } from './gemm-dynamic';
export { packWeightsF32, sgemm, sgemmSync, sgemmKernelIsa, PackedWeightsF32 } from './sgemm';
export type { PackWeightsF32Options, SgemmOptions, SgemmWeightLayout } from './sgemm';
export { packInt4Weights, packInt4FromQ4_0, packInt4FromMatMulNBits, int4Linear, int4LinearSync, int4KernelIsa, Int4PackedWeights, INT4_GROUP_SIZES } from './int4-linear';
export type { Int4LinearOptions, MatMulNBitsShape } from './int4-linear';

export { quantize } from './quantize';
export type { QuantizeOptions } from './quantize';
export { packCodes, unpackCodes } from './pack';
export { mse, maxAbsError, sqnr, cosineSimilarity } from './metrics';

export * from './formats/index';
export * from './ggml/index';
export * from './codebook';
export * from './double-quant';
export * from './fake-quantize';
export * from './calibrate/index';
