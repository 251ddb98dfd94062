/**
 * EntropyObserver: the KL-divergence threshold, in TensorRT's or onnxruntime's variant.
 *
 * - 'tensorrt' (pytorch-quantization / ModelOpt calib/histogram.py): histogram of |x| from 0 with
 *   `bins` (2048) bins of width max|x| / bins set by the first batch, same-width bins appended
 *   when later batches exceed it; amax = edges[i] for the i chosen by _compute_amax_entropy
 *   (levels 128 for int8, candidates from startBin 128, stride 1). Range [-amax, amax], or
 *   [0, amax] when no negative value was seen.
 * - 'onnxruntime' (calibrate.py HistogramCollector.get_entropy_threshold): signed histogram over
 *   [-T, T] (T = max|x| of the first batch, widened by whole bins), symmetric windows, smoothed
 *   distributions; threshold (edges[start], edges[end]) clipped to the observed min / max.
 *   onnxruntime's own defaults are num_bins = 128 = num_quantized_bins, which leaves a single
 *   candidate (the full range); here both variants default to 2048 bins and 128 levels.
 *
 * grid: 'exact' (default) searches the exact histogram resampled to the reference's grid;
 * 'tensorrt' (variant 'tensorrt') or 'onnxruntime' (variant 'onnxruntime') keep the reference's
 * own histogram (grid-tensorrt.ts, grid-onnxruntime.ts) and give its threshold to within one bin.
 */
import { resample } from './histogram';
import { HistogramObserverBase, onnxruntimeSignedGrid } from './histogram-observer';
import type { HistogramObserverOptions } from './histogram-observer';
import { onnxruntimeEntropyWindow, tensorrtEntropyBin } from './entropy-search';
import type { TensorrtHistogram } from './grid-tensorrt';
import type { OnnxruntimeHistogram } from './grid-onnxruntime';
import { checkOption } from './input';
import type { CalibrationScheme } from './types';

export interface EntropyOptions extends HistogramObserverOptions {
  variant?: 'tensorrt' | 'onnxruntime';
  /** Quantized levels the histogram is merged into (default 128: int8 magnitudes). */
  levels?: number;
  /** TensorRT: first candidate bin (default 128) and candidate stride (default 1). */
  startBin?: number;
  stride?: number;
}

export class EntropyObserver extends HistogramObserverBase<EntropyOptions> {
  protected readonly kind = 'EntropyObserver';

  constructor(options: EntropyOptions = {}) {
    const variant = options.variant ?? 'tensorrt';
    checkOption(variant === 'tensorrt' || variant === 'onnxruntime', 'variant', "'tensorrt' or 'onnxruntime'", variant);
    super(variant === 'tensorrt' ? 'abs' : 'signed', { ...options, variant }, 2048, ['exact', variant]);
    const levels = options.levels ?? 128;
    checkOption(Number.isInteger(levels) && levels >= 2, 'levels', 'an integer >= 2', levels);
    checkOption(options.startBin === undefined || (Number.isInteger(options.startBin) && options.startBin >= 1), 'startBin', 'an integer >= 1', options.startBin);
    checkOption(options.stride === undefined || (Number.isInteger(options.stride) && options.stride >= 1), 'stride', 'an integer >= 1', options.stride);
  }

  static fromJSON(json: unknown): EntropyObserver {
    return new EntropyObserver((json as { options?: EntropyOptions })?.options ?? {}).load(json);
  }

  /** TensorRT's amax (variant 'tensorrt'). */
  amax(): number {
    const levels = this.options.levels ?? 128;
    const startBin = this.options.startBin ?? 128;
    const stride = this.options.stride ?? 1;
    if (this.options.grid === 'tensorrt') {
      const t = this.histogram as TensorrtHistogram;
      if (t.width === 0) return 0;
      return t.edge(tensorrtEntropyBin(t.counts, levels, startBin, stride));
    }
    const h = this.exact;
    const bins = this.options.bins!;
    const A = h.absMax;
    if (A === 0) return 0;
    let W = h.anchor!.absMax / bins;
    if (W === 0) W = A / bins;
    const n = A <= h.anchor!.absMax ? bins : Math.ceil(A / W);
    const counts = resample(h.line('abs').counts, 0, h.width, 0, W, n, true);
    const i = tensorrtEntropyBin(counts, levels, startBin, stride);
    return Math.fround(i * W);
  }

  protected search(_scheme: CalibrationScheme): [number, number] {
    if (this.options.variant === 'tensorrt') {
      const amax = this.amax();
      return [this.histogram.min < 0 ? -amax : 0, amax];
    }
    if (this.options.grid === 'onnxruntime') {
      const o = this.histogram as OnnxruntimeHistogram;
      const v = o.value!;
      const [start, end] = onnxruntimeEntropyWindow(v.counts, this.options.levels ?? 128);
      return [Math.max(v.edge(start), o.min), Math.min(v.edge(end), o.max)];
    }
    const h = this.exact;
    if (h.absMax === 0) return [0, 0];
    const g = onnxruntimeSignedGrid(h, this.options.bins!);
    const line = h.line('signed');
    const counts = resample(line.counts, line.origin, line.width, g.origin, g.width, g.n, true);
    const [start, end] = onnxruntimeEntropyWindow(counts, this.options.levels ?? 128);
    const lo = Math.fround(g.origin + start * g.width);
    const hi = Math.fround(g.origin + end * g.width);
    return [Math.max(lo, h.min), Math.min(hi, h.max)];
  }
}
