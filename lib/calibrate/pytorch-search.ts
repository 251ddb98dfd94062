/**
 * PyTorch HistogramObserver._non_linear_param_search (torch/ao/quantization/observer.py, a port
 * of Caffe2's NormMinimization): cumulative-mass bounds alpha / beta move by 1e-5, each step
 * trimming the side that removes more bins; each new [startBin, endBin] is scored by the L2 error
 * of mapping every source bin (uniform density) onto dstBins uniform destination bins; the search
 * stops at the first increase. Returns [startBin, endBin].
 *
 * The arithmetic is PyTorch's: float32 tensors (cumulative sums, distances, densities, norms) with
 * Python floats (bin widths, the alpha / beta bounds) where PyTorch has them. Because the search
 * stops at the first increase of a noisy float32 error, scoring in float64 or with the bin width
 * scaled to 1 can stop a step earlier or later than PyTorch does.
 */
const f32 = Math.fround;

/** hist: PyTorch's histogram (float32 values); binWidth: (max_val - min_val) / bins in float64. */
export function pytorchParamSearch(hist: ArrayLike<number>, dstBins: number, binWidth = 1): [number, number] {
  const bins = hist.length;
  let acc = 0;
  const cSum = new Float64Array(bins);
  for (let j = 0; j < bins; j++) {
    acc += hist[j]!;
    cSum[j] = f32(acc); // torch.cumsum accumulates in double on CPU, stores float32
  }
  const total = f32(acc);
  const stepsize = 1e-5;
  let alpha = 0;
  let beta = 1;
  let startBin = 0;
  let endBin = bins - 1;
  let normMin = Infinity;
  while (alpha < beta) {
    const nextAlpha = alpha + stepsize;
    const nextBeta = beta - stepsize;
    // A float32 tensor compared with a Python float compares in float32.
    const lowBound = f32(nextAlpha * total);
    const highBound = f32(nextBeta * total);
    let l = startBin;
    let r = endBin;
    while (l < endBin && cSum[l]! < lowBound) l++;
    while (r > startBin && cSum[r]! > highBound) r--;
    let nextStart = startBin;
    let nextEnd = endBin;
    if (l - startBin > endBin - r) {
      nextStart = l;
      alpha = nextAlpha;
    } else {
      nextEnd = r;
      beta = nextBeta;
    }
    if (nextStart === startBin && nextEnd === endBin) continue;
    const norm = pytorchQuantizationError(hist, nextStart, nextEnd, dstBins, binWidth);
    if (norm > normMin) break;
    normMin = norm;
    startBin = nextStart;
    endBin = nextEnd;
  }
  return [startBin, endBin];
}

const cube32 = (x: number): number => f32(f32(x * x) * x);
/** _get_norm without the density: (end^3 - begin^3) / 3 in float32. */
const norm32 = (begin: number, end: number): number => f32(f32(cube32(end) - cube32(begin)) / 3);

/** _compute_quantization_error(start, end) for a histogram with bins of `binWidth`. */
export function pytorchQuantizationError(hist: ArrayLike<number>, start: number, end: number, dstBins: number, binWidth: number): number {
  const bins = hist.length;
  const dstWidth = (binWidth * (end - start + 1)) / dstBins;
  if (dstWidth === 0) return 0;
  const bw = f32(binWidth);
  const dw = f32(dstWidth);
  const half = f32(dstWidth / 2);
  const full = norm32(f32(-dstWidth / 2), half);
  let sum = 0;
  for (let j = 0; j < bins; j++) {
    if (hist[j] === 0) continue;
    const density = f32(hist[j]! / bw);
    const srcBegin = f32(f32(j - start) * bw);
    const srcEnd = f32(srcBegin + bw);
    const dBegin = Math.min(dstBins - 1, Math.max(0, Math.floor(srcBegin / dw)));
    const dEnd = Math.min(dstBins - 1, Math.max(0, Math.floor(srcEnd / dw)));
    const beginCenter = f32(f32(dBegin + 0.5) * dw);
    const endCenter = f32(f32(dEnd * dw) + half);
    let norm = f32(density * norm32(f32(srcBegin - beginCenter), half));
    norm = f32(norm + f32((dEnd - dBegin - 1) * f32(density * full)));
    norm = f32(norm + f32(density * norm32(f32(-dstWidth / 2), f32(srcEnd - endCenter))));
    sum += norm;
  }
  return f32(sum);
}
