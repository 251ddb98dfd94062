/** Caller-provided outputs: checked once, then written in place so repeated calls allocate nothing. */
import { QuantaError, invalid } from './errors';

type Ctor<T> = { new (length: number): T; readonly name: string };

/** Whether two views share any byte (an output must not overlap an input it is computed from). */
export function overlaps(x: ArrayBufferView, y: ArrayBufferView): boolean {
  if (x.buffer !== y.buffer) return false;
  return x.byteOffset < y.byteOffset + y.byteLength && y.byteOffset < x.byteOffset + x.byteLength;
}

/**
 * The output of a matrix product: `out` when given — of the right type (else
 * ERR_QUANTA_INVALID_DTYPE, `expected` naming it), M * N long (ERR_QUANTA_INVALID_SHAPE), and
 * sharing no byte with the inputs the product reads while it writes (ERR_QUANTA_INVALID_ARGUMENT) —
 * else a new array.
 */
export function productOutput<T extends ArrayBufferView & { length: number }>(
  ctor: Ctor<T>, size: number, out: unknown, input: { name: string; views: readonly (ArrayBufferView | null)[] },
  expected = `a ${ctor.name}`,
): T {
  if (out === undefined) return new ctor(size);
  if (!(out instanceof (ctor as unknown as new (...args: never[]) => T))) throw invalid('ERR_QUANTA_INVALID_DTYPE', 'options.out', expected, out);
  if (out.length !== size) throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `options.out must have ${size} (M * N) elements, received ${out.length}`);
  for (const view of input.views) {
    if (view !== null && overlaps(out, view)) {
      throw new QuantaError('ERR_QUANTA_INVALID_ARGUMENT', `options.out must not overlap ${input.name} (the product reads ${input.name} while it writes out)`);
    }
  }
  return out;
}

/** `out` when given (checked for type and length), else a new array. */
export function outputArray<T extends { length: number }>(ctor: Ctor<T>, length: number, out: unknown, name = 'out'): T {
  if (out === undefined) return new ctor(length);
  if (!(out instanceof (ctor as unknown as new (...args: never[]) => T)) || (out as T).length !== length) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, `a ${ctor.name} of length ${length}`, out);
  }
  return out as T;
}
