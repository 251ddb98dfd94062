/** Shared plumbing of the histogram-based observers: observe, merge, JSON, parameters. */
import type { Float32Input } from '../tensor';
import { StreamingHistogram } from './histogram';
import type { HistogramJSON, HistogramKind } from './histogram';
import type { HistogramGrid } from './grid';
import { OnnxruntimeHistogram } from './grid-onnxruntime';
import type { OnnxruntimeHistogramJSON } from './grid-onnxruntime';
import { PytorchHistogram } from './grid-pytorch';
import type { PytorchHistogramJSON } from './grid-pytorch';
import { TensorrtHistogram } from './grid-tensorrt';
import type { TensorrtHistogramJSON } from './grid-tensorrt';
import { checkOption, checkState, viewBatch } from './input';
import { emptyObserverError, paramsOfRange, scalarRange } from './params-of-range';
import type { CalibrationScheme, Observer, ObservedRange, ObserverJSON, ObserverParams } from './types';

export interface HistogramObserverOptions {
  /** Bins of the histogram the threshold search runs on (the reference's `num_bins`). */
  bins?: number;
  /** Bins kept over [0, amax] in the streaming state (default 16384); see histogram.ts. */
  resolution?: number;
  /** Throw ERR_QUANTA_NON_FINITE on NaN / +-Inf instead of skipping and counting them. */
  strict?: boolean;
  /**
   * The histogram kept while observing (grid.ts): 'exact' (default) is quanta's mergeable
   * power-of-two grid, the search running on it resampled to the reference's grid (agreement
   * within a few of the reference's bins); 'tensorrt' / 'onnxruntime' / 'pytorch' build the
   * reference tool's own histogram batch by batch (agreement within one bin, results that depend
   * on batch order as the reference's do).
   */
  grid?: HistogramGrid;
}

export type AnyHistogram = StreamingHistogram | TensorrtHistogram | OnnxruntimeHistogram | PytorchHistogram;

const VERSION = 1;

export abstract class HistogramObserverBase<O extends HistogramObserverOptions> implements Observer {
  protected histogram: AnyHistogram;
  readonly options: Readonly<O>;
  protected abstract readonly kind: string;

  /** grids: the grids this observer accepts, 'exact' first. */
  protected constructor(histogramKind: HistogramKind, options: O, defaultBins: number, grids: readonly HistogramGrid[]) {
    const bins = options.bins ?? defaultBins;
    checkOption(Number.isInteger(bins) && bins >= 2 && bins <= 1 << 20, 'bins', 'an integer in [2, 1048576]', bins);
    const grid = options.grid ?? 'exact';
    checkOption(grids.includes(grid), 'grid', grids.map((g) => `'${g}'`).join(' or '), grid);
    this.options = { ...options, bins, grid };
    this.histogram = grid === 'exact' ? new StreamingHistogram(histogramKind, options.resolution ?? 16384) : this.referenceHistogram(grid, bins);
  }

  /** A fresh histogram of a reference grid (never called for 'exact'). */
  protected referenceHistogram(grid: HistogramGrid, bins: number): AnyHistogram {
    if (grid === 'tensorrt') return new TensorrtHistogram(bins);
    if (grid === 'pytorch') return new PytorchHistogram(bins);
    return new OnnxruntimeHistogram(bins, 'value');
  }

  /** The exact histogram ('exact' grid only). */
  protected get exact(): StreamingHistogram {
    return this.histogram as StreamingHistogram;
  }

  get batches(): number {
    return this.histogram.batches;
  }
  get count(): number {
    return this.histogram.count;
  }
  get nonFinite(): number {
    return this.histogram.nonFinite;
  }
  /** Retained state in bytes: bounded by the resolution, whatever the number of values. */
  get stateBytes(): number {
    return this.histogram.stateBytes;
  }
  /** The observed min and max of the finite values. */
  get observedRange(): [number, number] {
    return [this.histogram.min, this.histogram.max];
  }

  observe(tensor: Float32Input): void {
    this.histogram.observe(viewBatch(tensor), this.options.strict ?? false);
  }

  /** The range the search selects, as [min, max]. */
  protected abstract search(scheme: CalibrationScheme): [number, number];

  computeRange(scheme: CalibrationScheme): ObservedRange {
    if (this.histogram.count === 0) throw emptyObserverError(this.kind);
    let [lo, hi] = this.search(scheme);
    // Degenerate histograms (constant data) can put a reference's edge past the observed range.
    if (!(lo <= hi)) [lo, hi] = [this.histogram.min, this.histogram.max];
    return scalarRange(lo, hi);
  }

  computeParams(scheme: CalibrationScheme): ObserverParams {
    return paramsOfRange(this.computeRange(scheme), scheme, null);
  }

  /**
   * Folds other's histogram into this one. 'exact': exact, in any order. Reference grids: exact
   * when both grids are equal, otherwise re-binned as the grid's file documents; this observer's
   * batches count as the earlier ones.
   */
  merge(other: this): this {
    checkOption(other instanceof HistogramObserverBase && other.kind === this.kind
      && JSON.stringify(other.options) === JSON.stringify(this.options), 'other', `a ${this.kind} with the same options`, other);
    (this.histogram.merge as (h: AnyHistogram) => void)(other.histogram);
    return this;
  }

  toJSON(): ObserverJSON {
    return { kind: this.kind, version: VERSION, options: this.options, histogram: this.histogram.toJSON() };
  }

  protected load(json: unknown): this {
    const j = checkState(json, this.kind, VERSION);
    const h = j.histogram as { grid?: HistogramGrid };
    const grid = this.options.grid ?? 'exact';
    checkOption(typeof h === 'object' && h !== null && (h.grid ?? 'exact') === grid, 'json.histogram.grid', `'${grid}'`, h?.grid);
    this.histogram = grid === 'tensorrt' ? TensorrtHistogram.fromJSON(h as TensorrtHistogramJSON)
      : grid === 'onnxruntime' ? OnnxruntimeHistogram.fromJSON(h as OnnxruntimeHistogramJSON)
        : grid === 'pytorch' ? PytorchHistogram.fromJSON(h as PytorchHistogramJSON)
          : StreamingHistogram.fromJSON(h as HistogramJSON);
    return this;
  }
}

/** onnxruntime's signed grid: [-T, T] from the first batch's max |x|, widened by whole bins. */
export function onnxruntimeSignedGrid(h: StreamingHistogram, bins: number): { origin: number; width: number; n: number } {
  const A = h.absMax;
  const T0 = h.anchor!.absMax;
  if (T0 === 0 || A === 0) return { origin: -A, width: (2 * A) / bins, n: bins };
  const W = (2 * T0) / bins;
  if (A <= T0) return { origin: -T0, width: W, n: bins };
  const grow = Math.floor((A - T0) / W) + 1;
  return { origin: -(T0 + grow * W), width: W, n: bins + 2 * grow };
}
