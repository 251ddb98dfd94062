/** The float32 input every ggml quantizer here accepts, checked once. */
import { QuantaError } from '../errors';
import { viewFloat32 } from '../tensor';
import { checkBlockDims } from './blocks';

/**
 * A float32 tensor (or Float32Array) whose last dimension is a multiple of 32, with only finite
 * values. ggml itself would turn NaN or +-Inf into a NaN / infinite block scale (and codes its C
 * leaves undefined); quanta rejects them instead with ERR_QUANTA_NON_FINITE. Huge finite values
 * are accepted and give an infinite fp16 scale exactly as ggml does.
 */
export function readBlockInput(x: unknown, name: string): { data: Float32Array; dims: number[] } {
  const { data, dims } = viewFloat32(x, name);
  if (data.length === 0) throw new QuantaError('ERR_QUANTA_EMPTY_TENSOR', `${name} must not be empty, received dims [${dims.join(', ')}]`);
  checkBlockDims(dims, name);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) {
      throw new QuantaError('ERR_QUANTA_NON_FINITE', `${name}[${i}] must be finite, received ${Number.isNaN(v) ? 'NaN' : v}: a ggml block scale cannot represent it`);
    }
  }
  return { data, dims };
}
