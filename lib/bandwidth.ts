/**
 * The read-bandwidth probe: how fast this machine reads a buffer of a given size, with the widest
 * loads of the active path, from whichever level it lives in (L1, L2, L3 or memory). A
 * matrix-vector product that streams its weights once cannot beat it, so the GEMV benchmarks are
 * stated as a fraction of it, measured in the same process, in turns with the kernel.
 */
import { invalid } from './errors';
import { callNative } from './native';

export interface ReadTiming {
  /** Wall time of all passes (native steady clock; no JavaScript runs inside it). */
  seconds: number;
  /** bytes * passes / seconds / 1e9. */
  gbps: number;
  /** Sum mod 2^64 of the buffer's little-endian 64-bit words (the last zero-padded): proof of the reads. */
  checksum: bigint;
}

export interface ReadBandwidth {
  bytes: number;
  runs: number;
  /** Reads of the buffer per run (more for small buffers, so that a run is long enough to time). */
  passes: number;
  bestGBps: number;
  medianGBps: number;
}

const MAX_PASSES = 1_000_000;
const MAX_BYTES = 2 ** 32 - 1;

function isTypedArray(value: unknown): value is ArrayBufferView {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

/**
 * Reads every byte of `buffer` `passes` times on this thread and times it. Blocks the caller for
 * that long: it is a measurement, sized by whoever asks. The buffer is read in place (any
 * TypedArray, any alignment).
 */
export function timeRead(buffer: ArrayBufferView, passes = 1): ReadTiming {
  if (!isTypedArray(buffer)) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'buffer', 'a TypedArray', buffer);
  if (buffer.byteLength === 0) throw invalid('ERR_QUANTA_EMPTY_TENSOR', 'buffer', 'a non-empty TypedArray (a detached buffer has no bytes)', buffer);
  if (!Number.isInteger(passes) || passes < 1 || passes > MAX_PASSES) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'passes', `an integer in [1, ${MAX_PASSES}]`, passes);
  }
  const [seconds, checksum] = callNative((native) => native.timeRead(buffer, passes));
  return { seconds, gbps: seconds > 0 ? (buffer.byteLength * passes) / seconds / 1e9 : Infinity, checksum };
}

/**
 * The read bandwidth of a `bytes`-sized buffer: a fresh buffer, written once (so that every page
 * is really mapped: an untouched page reads the shared zero page), read once to warm the caches,
 * then `runs` timed runs; best and median GB/s.
 */
export function measureReadBandwidth(bytes: number, options: { runs?: number } = {}): ReadBandwidth {
  if (!Number.isInteger(bytes) || bytes < 64 || bytes > MAX_BYTES) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'bytes', `an integer in [64, ${MAX_BYTES}]`, bytes);
  }
  const runs = options.runs ?? 20;
  if (!Number.isInteger(runs) || runs < 1 || runs > 10_000) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'runs', 'an integer in [1, 10000]', runs);
  }
  const buffer = new Uint8Array(bytes).fill(0x5a);
  // About 4 MiB of reads per run at least: microseconds-long runs would time the clock.
  const passes = Math.min(MAX_PASSES, Math.max(1, Math.ceil(4 * 2 ** 20 / bytes)));
  timeRead(buffer, passes);
  const rates = Array.from({ length: runs }, () => timeRead(buffer, passes).gbps).sort((a, b) => a - b);
  const at = (i: number) => rates[i] as number;
  const middle = (runs - 1) / 2;
  return { bytes, runs, passes, bestGBps: at(runs - 1), medianGBps: (at(Math.floor(middle)) + at(Math.ceil(middle))) / 2 };
}
