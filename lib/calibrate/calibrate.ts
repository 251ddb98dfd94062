/**
 * calibrate(): feeds batches from a (sync or async) iterable to one or more observers and reports
 * progress after each batch. With several observers, a batch is either one tensor (observed by
 * all) or an array / record holding one tensor per observer.
 */
import { invalid } from '../errors';
import type { Float32Input } from '../tensor';
import type { Observer } from './types';

export interface CalibrateOptions {
  /** Called after each batch with the batches done and, when known, the total. */
  onProgress?: (done: number, total?: number) => void;
  /** Total batch count for onProgress (taken from `batches.length` when it has one). */
  total?: number;
  /** Stops between batches; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

type Observers = Observer | readonly Observer[] | Readonly<Record<string, Observer>>;
type Batch = Float32Input | readonly Float32Input[] | Readonly<Record<string, Float32Input>>;

function isObserver(o: unknown): o is Observer {
  return typeof o === 'object' && o !== null && typeof (o as Observer).observe === 'function';
}

function isTensor(b: unknown): b is Float32Input {
  return ArrayBuffer.isView(b) || (typeof b === 'object' && b !== null && 'data' in b && 'dims' in b);
}

function feed(observers: Observers, batch: Batch): void {
  if (isObserver(observers)) {
    observers.observe(batch as Float32Input);
    return;
  }
  const entries = Array.isArray(observers) ? observers.map((o, i) => [i, o] as const) : Object.entries(observers);
  for (const [key, observer] of entries) {
    const tensor = isTensor(batch) ? batch : (batch as Record<string | number, Float32Input>)[key];
    if (tensor === undefined) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', `batch[${JSON.stringify(key)}]`, 'a tensor for every observer', tensor);
    (observer as Observer).observe(tensor);
  }
}

export async function calibrate<O extends Observers>(
  observers: O,
  batches: Iterable<Batch> | AsyncIterable<Batch>,
  options: CalibrateOptions = {},
): Promise<O> {
  const isIterable = typeof (batches as Iterable<Batch>)?.[Symbol.iterator] === 'function'
    || typeof (batches as AsyncIterable<Batch>)?.[Symbol.asyncIterator] === 'function';
  if (!isIterable) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'batches', 'an iterable or async iterable of tensors', batches);
  const total = options.total ?? (Array.isArray(batches) ? batches.length : undefined);
  let done = 0;
  for await (const batch of batches as AsyncIterable<Batch>) {
    options.signal?.throwIfAborted();
    feed(observers, batch);
    done++;
    options.onProgress?.(done, total);
  }
  return observers;
}
