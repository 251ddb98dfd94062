/** Float32 scales going into fp16 block scales: exact, or rounded only when asked. */
import { QuantaError } from '../errors';
import { fp16BitsToFp32, fp32ToFp16Bits } from './fp16';

export interface ToGgmlOptions {
  /**
   * Round scales that fp16 cannot hold exactly to the nearest fp16 (ties to even), which changes
   * every value of that block. Default false: such a scale is an ERR_QUANTA_INVALID_SCALE, so a
   * conversion either keeps the data exactly or fails.
   */
  roundScales?: boolean;
}

/**
 * The fp16 bits of scale `s` (element `index` of `name`). Infinite scales pass (fp16 holds them:
 * ggml writes them itself for huge blocks); NaN is rejected.
 */
export function fp16Scale(s: number, index: number, name: string, options: ToGgmlOptions): number {
  if (Number.isNaN(s)) throw new QuantaError('ERR_QUANTA_INVALID_SCALE', `${name}[${index}] must not be NaN`);
  const bits = fp32ToFp16Bits(s);
  if (!options.roundScales && !Object.is(fp16BitsToFp32(bits), s)) {
    throw new QuantaError(
      'ERR_QUANTA_INVALID_SCALE',
      `${name}[${index}] must be exactly representable in fp16 (ggml block scales are fp16), received ${s}; the nearest fp16 is ${fp16BitsToFp32(bits)}: pass { roundScales: true } to accept it`,
    );
  }
  return bits;
}
