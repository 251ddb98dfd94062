/** Caller-provided outputs: checked once, then written in place so repeated calls allocate nothing. */
import { invalid } from './errors';

type Ctor<T> = { new (length: number): T; readonly name: string };

/** Whether two views share any byte (an output must not overlap an input it is computed from). */
export function overlaps(x: ArrayBufferView, y: ArrayBufferView): boolean {
  if (x.buffer !== y.buffer) return false;
  return x.byteOffset < y.byteOffset + y.byteLength && y.byteOffset < x.byteOffset + x.byteLength;
}

/** `out` when given (checked for type and length), else a new array. */
export function outputArray<T extends { length: number }>(ctor: Ctor<T>, length: number, out: unknown, name = 'out'): T {
  if (out === undefined) return new ctor(length);
  if (!(out instanceof (ctor as unknown as new (...args: never[]) => T)) || (out as T).length !== length) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, `a ${ctor.name} of length ${length}`, out);
  }
  return out as T;
}
