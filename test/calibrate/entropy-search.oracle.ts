/**
 * The two KL-divergence threshold searches, transcribed from their sources.
 */

/** scipy.stats.entropy(p, q): both normalized, sum of p*log(p/q), Infinity where q = 0 < p. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>, n = p.length): number {
  let sp = 0;
  let sq = 0;
  for (let j = 0; j < n; j++) {
    sp += p[j]!;
    sq += q[j]!;
  }
  let kl = 0;
  for (let j = 0; j < n; j++) {
    const pk = p[j]! / sp;
    if (pk <= 0) continue;
    const qk = q[j]! / sq;
    if (!(qk > 0)) return Infinity;
    kl += pk * Math.log(pk / qk);
  }
  return kl;
}

/**
 * NVIDIA pytorch-quantization calib/histogram.py `_compute_amax_entropy` (same in ModelOpt's
 * calib/histogram.py): bins[0] <- bins[1]; for i = startBin .. bins.length (stride), P = the first
 * i bins with the tail added to the last, Q = those bins merged into `levels` groups
 * (np.digitize over linspace(0, i, levels + 1)) and spread back over the group's non-empty bins;
 * the last i with the smallest KL(P || Q) wins. Returns that i: amax = edges[i].
 */
export function tensorrtEntropyBin(hist: Float64Array, levels: number, startBin: number, stride: number): number {
  const n = hist.length;
  if (n < startBin) return n;
  const bins = Float64Array.from(hist);
  if (n > 1) bins[0] = bins[1]!;
  const suffix = new Float64Array(n + 1);
  for (let j = n - 1; j >= 0; j--) suffix[j] = suffix[j + 1]! + bins[j]!;
  const groupSum = new Float64Array(levels);
  const groupCount = new Float64Array(levels);
  const group = new Int32Array(n);
  const ref = new Float64Array(n);
  const q = new Float64Array(n);
  let best = Infinity;
  let bestI = startBin;
  for (let i = startBin; i <= n; i += stride) {
    // np.linspace(0, i, levels + 1) is k * (i / levels), last edge exactly i; np.digitize - 1.
    const step = i / levels;
    groupSum.fill(0);
    groupCount.fill(0);
    let k = 0;
    for (let j = 0; j < i; j++) {
      while (k + 1 < levels && (k + 1) * step <= j) k++;
      group[j] = k;
      if (bins[j] !== 0) {
        groupSum[k]! += bins[j]!;
        groupCount[k]! += 1;
      }
    }
    for (let j = 0; j < i; j++) {
      q[j] = bins[j] !== 0 ? groupSum[group[j]!]! / groupCount[group[j]!]! : 0;
      ref[j] = bins[j]!;
    }
    ref[i - 1]! += suffix[i]!;
    const kl = klDivergence(ref, q, i);
    if (kl <= best) {
      best = kl;
      bestI = i;
    }
  }
  return bestI;
}

/**
 * onnxruntime quantization/calibrate.py `HistogramCollector.get_entropy_threshold` (and
 * quant_utils `smooth_distribution`): windows [zero - i, zero + i] around the zero bin
 * (zero = bins // 2) for i = levels // 2 .. zero; P = the window with each tail folded into its
 * edge bin; Q = the window merged into `levels` groups of floor(size / levels) bins (the rest
 * added to the last group but not spread back), each group's sum divided by the count of non-zero
 * P bins in it, truncated to an integer (int64 array) and written to every bin of the group; both
 * smoothed (zeros -> 1e-4, the mass taken off the non-zeros, in float32). The first smallest KL
 * wins. Returns [startIndex, endIndex]: the threshold is (edges[start], edges[end]).
 */
export function onnxruntimeEntropyWindow(hist: Float64Array, levels: number): [number, number] {
  const nb = hist.length;
  const zero = Math.floor(nb / 2);
  const half = Math.floor(levels / 2);
  const prefix = new Float64Array(nb + 1);
  for (let j = 0; j < nb; j++) prefix[j + 1] = prefix[j]! + hist[j]!;
  let best = Infinity;
  let bestWindow: [number, number] = [Math.max(0, zero - half), Math.min(nb, zero + half + 1)];
  const f32 = Math.fround;
  const eps32 = f32(1e-4);
  for (let i = half; i <= zero; i++) {
    const start = zero - i;
    const end = Math.min(zero + i + 1, nb);
    const size = end - start;
    const p = new Float64Array(size);
    for (let j = 0; j < size; j++) p[j] = hist[start + j]!;
    p[0]! += prefix[start]!;
    p[size - 1]! += prefix[nb]! - prefix[end]!;
    const merged = Math.floor(size / levels);
    const q = new Float64Array(size);
    for (let k = 0; k < levels; k++) {
      let sum = 0;
      let norm = 0;
      const s0 = k * merged;
      for (let j = s0; j < s0 + merged; j++) {
        sum += hist[start + j]!;
        if (p[j] !== 0) norm++;
      }
      if (k === levels - 1) for (let j = levels * merged; j < size; j++) sum += hist[start + j]!;
      if (norm !== 0) {
        const v = Math.trunc(sum / norm);
        for (let j = s0; j < s0 + merged; j++) q[j] = v;
      }
    }
    const ps = smooth(p, eps32);
    const qs = smooth(q, eps32);
    const kl = ps === null || qs === null ? Infinity : klDivergence(ps, qs);
    if (kl < best) {
      best = kl;
      bestWindow = [start, end];
    }
  }
  return bestWindow;
}

function smooth(p: Float64Array, eps32: number): Float64Array | null {
  const f32 = Math.fround;
  let zeros = 0;
  for (let j = 0; j < p.length; j++) if (p[j] === 0) zeros++;
  const nonZeros = p.length - zeros;
  if (nonZeros === 0) return null;
  const eps1 = f32(-((1e-4 * zeros) / nonZeros));
  const out = new Float64Array(p.length);
  for (let j = 0; j < p.length; j++) out[j] = f32(f32(p[j]!) + (p[j] === 0 ? eps32 : eps1));
  return out;
}
