/**
 * Histogram grids. 'exact' is quanta's own mergeable power-of-two grid (histogram.ts); the others
 * rebuild a reference tool's histogram as that tool builds it, batch by batch, so that its
 * threshold search sees the same bins:
 *
 * - 'tensorrt'    pytorch-quantization calib/histogram.py HistogramCalibrator.collect (grid-tensorrt.ts)
 * - 'onnxruntime' quantization/calibrate.py HistogramCollector (grid-onnxruntime.ts)
 * - 'pytorch'     torch/ao/quantization/observer.py HistogramObserver.forward (grid-pytorch.ts)
 *
 * Reference grids depend on the order of the batches (the first one anchors the grid), as the
 * references do. merge() adds counts when both grids are equal; otherwise each grid's file says
 * how it re-bins.
 */
import { rangeOf } from './range-kernels';
import type { RangeStats } from './range-kernels';
import { checkFinite } from './input';
import type { BatchView } from './input';

export type HistogramGrid = 'exact' | 'tensorrt' | 'onnxruntime' | 'pytorch';

export const HISTOGRAM_GRIDS: readonly HistogramGrid[] = ['exact', 'tensorrt', 'onnxruntime', 'pytorch'];

/** Common bookkeeping of a reference histogram. */
export abstract class ReferenceHistogramBase {
  count = 0;
  nonFinite = 0;
  batches = 0;
  min = Infinity;
  max = -Infinity;

  /** rangeOf the batch with the non-finite policy applied; null when nothing finite is left. */
  protected prelude(view: BatchView, strict: boolean): RangeStats | null {
    const { data } = view;
    if (data.length === 0) return null;
    const r = rangeOf(data);
    checkFinite(strict, r.nonFinite, data.length);
    this.nonFinite += r.nonFinite;
    if (r.finite === 0) return null;
    return r;
  }

  protected account(r: { min: number; max: number; finite: number }, batches = 1): void {
    this.min = Math.min(this.min, r.min);
    this.max = Math.max(this.max, r.max);
    this.count += r.finite;
    this.batches += batches;
  }

  protected baseJSON(): { count: number; nonFinite: number; batches: number; min: number | null; max: number | null } {
    const n = (v: number) => (Number.isFinite(v) ? v : null);
    return { count: this.count, nonFinite: this.nonFinite, batches: this.batches, min: n(this.min), max: n(this.max) };
  }

  protected loadBase(j: { count: number; nonFinite: number; batches: number; min: number | null; max: number | null }): void {
    this.count = j.count;
    this.nonFinite = j.nonFinite;
    this.batches = j.batches;
    this.min = j.min ?? Infinity;
    this.max = j.max ?? -Infinity;
  }
}

/** Sparse [index, count, ...] pairs of the non-zero entries. */
export function sparseCounts(counts: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let j = 0; j < counts.length; j++) if (counts[j]) out.push(j, counts[j]!);
  return out;
}

export function denseCounts(pairs: readonly number[], length: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(length);
  for (let i = 0; i < pairs.length; i += 2) out[pairs[i]!] = pairs[i + 1]!;
  return out;
}

/** Adds b into a from offset, growing nothing: a must be long enough. */
export function addInto(a: Float64Array, b: ArrayLike<number>, offset = 0): void {
  for (let j = 0; j < b.length; j++) a[offset + j]! += b[j]!;
}
