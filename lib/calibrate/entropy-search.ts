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
function tensorrtEntropyBinDirect(hist: Float64Array, levels: number, startBin: number, stride: number): number {
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

/** b log b for b > 0, else 0. */
const xlogx = (b: number): number => (b > 0 ? b * Math.log(b) : 0);

/** Compensated (double-double) prefix sums of f(values[j]): hi[j] + lo[j] = sum over k < j. */
function ddPrefix(values: Float64Array, f: (v: number) => number): [Float64Array, Float64Array] {
  const n = values.length;
  const hi = new Float64Array(n + 1);
  const lo = new Float64Array(n + 1);
  let h = 0;
  let l = 0;
  for (let j = 0; j < n; j++) {
    const x = f(values[j]!);
    const s = h + x;
    const bp = s - h;
    l += h - (s - bp) + (x - bp);
    h = s;
    hi[j + 1] = h;
    lo[j + 1] = l;
  }
  return [hi, lo];
}

/**
 * tensorrtEntropyBinDirect in O(levels) per candidate. Q is one value m = G / C over a group's
 * non-zero bins (G the group's sum, C their count), so with sp = sum P and sq = sum Q = sum of the
 * first i bins, KL = (1 / sp) sum_groups (sum_j P_j log P_j - (sum_j P_j) log m) + log(sq / sp):
 * group sums of b log b and b come from compensated prefix sums (accurate to the group, not the
 * total), and the last bin (which carries the tail) is corrected separately.
 */
export function tensorrtEntropyBin(hist: Float64Array, levels: number, startBin: number, stride: number): number {
  const n = hist.length;
  if (n < startBin) return n;
  for (let j = 0; j < n; j++) if (!(hist[j]! >= 0) || !Number.isFinite(hist[j]!)) return tensorrtEntropyBinDirect(hist, levels, startBin, stride);
  const bins = Float64Array.from(hist);
  if (n > 1) bins[0] = bins[1]!;
  const suffix = new Float64Array(n + 1);
  for (let j = n - 1; j >= 0; j--) suffix[j] = suffix[j + 1]! + bins[j]!;
  const nonZero = new Float64Array(n + 1);
  for (let j = 0; j < n; j++) nonZero[j + 1] = nonZero[j]! + (bins[j] !== 0 ? 1 : 0);
  const [gHi, gLo] = ddPrefix(bins, (b) => b);
  const [lHi, lLo] = ddPrefix(bins, xlogx);
  let best = Infinity;
  let bestI = startBin;
  for (let i = startBin; i <= n; i += stride) {
    const step = i / levels;
    const last = bins[i - 1]!;
    const tail = suffix[i]!;
    let kl: number;
    if (last === 0 && tail > 0) kl = Infinity;
    else {
      let acc = 0;
      let lastLogM = 0;
      let s = 0;
      for (let k = 0; k < levels; k++) {
        const e = k === levels - 1 ? i : Math.min(i, Math.ceil((k + 1) * step));
        if (e <= s) continue;
        const C = nonZero[e]! - nonZero[s]!;
        if (C !== 0) {
          const G = gHi[e]! - gHi[s]! + (gLo[e]! - gLo[s]!);
          const L = lHi[e]! - lHi[s]! + (lLo[e]! - lLo[s]!);
          const logM = Math.log(G / C);
          acc += L - G * logM;
          if (e === i) lastLogM = logM;
        }
        s = e;
      }
      const sq = gHi[i]! + gLo[i]!;
      const sp = sq + tail;
      // the last bin holds last + tail: (last + tail) log((last + tail) / m) - last log(last / m)
      if (tail > 0) acc += last * Math.log1p(tail / last) + tail * (Math.log(last + tail) - lastLogM);
      kl = sq > 0 ? acc / sp + Math.log1p(-tail / sp) : Infinity;
    }
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
 *
 * Computed without per-window allocations, with one log per group for Q and a cached log for
 * every P bin that smoothing leaves unchanged in float32: the float32 rounding of the smoothed
 * values is reproduced exactly, and KL is accumulated as
 * (1 / sp) sum ps (log ps - log qs) + (sum_{ps > 0} ps / sp) log(sq / sp). The direct
 * transcription stays in test/calibrate/entropy-search.oracle.ts as the tests' oracle.
 */
export function onnxruntimeEntropyWindow(hist: Float64Array, levels: number): [number, number] {
  const fast = onnxruntimeEntropyWindowInteger(hist, levels);
  return fast !== null ? fast : onnxruntimeEntropyWindowGeneric(hist, levels);
}

/**
 * The integer-count path of onnxruntimeEntropyWindow (every count a non-negative integer, the
 * total below 2^53): group sums and non-zero counts come from exact prefix sums (so the truncated
 * group means are the same integers as the bin-by-bin sums give), the two edge bins (which carry
 * the folded tails) are handled apart, and log ps for an interior bin is the cached log of its
 * count plus log1p of the relative smoothing shift (a 4-term series when that shift is below 1e-4,
 * truncation error below 3e-21; Math.log(ps) otherwise). Every P and Q value is positive here
 * (counts >= 1, shifts > -0.21), so KL = (1 / sp) sum ps (log ps - log qs) + log(sq / sp).
 * Returns null when the counts do not qualify.
 */
function onnxruntimeEntropyWindowInteger(hist: Float64Array, levels: number): [number, number] | null {
  const nb = hist.length;
  const zero = Math.floor(nb / 2);
  const half = Math.floor(levels / 2);
  let total = 0;
  for (let j = 0; j < nb; j++) {
    const c = hist[j]!;
    if (!(c >= 0) || !Number.isInteger(c)) return null;
    total += c;
  }
  if (!(total < 2 ** 53) || levels < 1 || half < 1 || 2 * half + 1 < levels) return null;
  const prefix = new Float64Array(nb + 1);
  const nz = new Int32Array(nb + 1);
  for (let j = 0; j < nb; j++) {
    prefix[j + 1] = prefix[j]! + hist[j]!;
    nz[j + 1] = nz[j]! + (hist[j] !== 0 ? 1 : 0);
  }
  let best = Infinity;
  let bestWindow: [number, number] = [Math.max(0, zero - half), Math.min(nb, zero + half + 1)];
  const f32 = Math.fround;
  const eps32 = f32(1e-4);
  const logEps = Math.log(eps32);
  const fh = new Float64Array(nb);
  const logFh = new Float64Array(nb);
  for (let j = 0; j < nb; j++) {
    fh[j] = f32(hist[j]!);
    logFh[j] = fh[j]! > 0 ? Math.log(fh[j]!) : 0;
  }
  const invFh = new Float64Array(nb);
  const fpLogFh = new Float64Array(nb);
  for (let j = 0; j < nb; j++) {
    invFh[j] = fh[j]! > 0 ? 1 / fh[j]! : 0;
    fpLogFh[j] = fh[j]! * logFh[j]!;
  }
  const qs = new Float64Array(levels);
  const logQ = new Float64Array(levels);
  const qv = new Float64Array(levels);
  const logInt = new Float64Array(Math.min(65536, Math.ceil(total) + 1));
  for (let i = half; i <= zero; i++) {
    const start = zero - i;
    const end = Math.min(zero + i + 1, nb);
    const size = end - start;
    if (size < 2) return null;
    const pFirst = hist[start]! + prefix[start]!;
    const pLast = hist[end - 1]! + (prefix[nb]! - prefix[end]!);
    const merged = Math.floor(size / levels);
    const covered = levels * merged;
    let zerosQ = size - covered;
    let nonZerosP = 0;
    for (let k = 0; k < levels; k++) {
      const a = start + k * merged;
      const b = a + merged;
      let norm = nz[b]! - nz[a]!;
      // edge bins: P holds the folded tails there
      if (k === 0) norm += (pFirst !== 0 ? 1 : 0) - (hist[start] !== 0 ? 1 : 0);
      if (k === levels - 1 && covered === size) norm += (pLast !== 0 ? 1 : 0) - (hist[end - 1] !== 0 ? 1 : 0);
      nonZerosP += norm;
      let sum = prefix[b]! - prefix[a]!;
      if (k === levels - 1) sum += prefix[end]! - prefix[b]!;
      const v = norm !== 0 ? Math.trunc(sum / norm) : 0;
      qv[k] = v;
      if (v === 0) zerosQ += merged;
    }
    if (covered < size) {
      nonZerosP += nz[end - 1]! - nz[start + covered]! + (pLast !== 0 ? 1 : 0);
    }
    const zerosP = size - nonZerosP;
    const nonZerosQ = size - zerosQ;
    if (nonZerosP === 0 || nonZerosQ === 0) continue; // KL = Infinity, never < best
    const eps1p = f32(-((1e-4 * zerosP) / nonZerosP));
    const eps1q = f32(-((1e-4 * zerosQ) / nonZerosQ));
    let sq = 0;
    let bad = false;
    for (let k = 0; k < levels; k++) {
      const v = qv[k]!;
      const q = v === 0 ? eps32 : f32(f32(v) + eps1q);
      qs[k] = q;
      if (!(q > 0)) bad = true;
      if (v === 0 || !(q > 0)) logQ[k] = q > 0 ? Math.log(q) : NaN;
      else {
        // log v from a cache (v is a positive integer), plus log1p of the relative shift
        let lv: number;
        if (v < logInt.length) {
          lv = logInt[v]!;
          if (lv === 0 && v !== 1) lv = logInt[v] = Math.log(v);
        } else lv = Math.log(v);
        const d = (q - v) / v;
        logQ[k] = q === v ? lv : d < 1e-4 && d > -1e-4 ? lv + d * (1 - d * (0.5 - d * (1 / 3 - d * 0.25))) : Math.log(q);
      }
      sq += merged * q;
    }
    sq += (size - covered) * eps32;
    if (bad) continue;
    let sp = 0;
    let acc = 0;
    // an integer count fp >= |eps1p| 2^26 is left unchanged by the float32 smoothing: half the
    // float32 spacing just below fp is > fp 2^-26 >= |eps1p| (the shift is never positive)
    const unchanged = eps1p < 0 ? -eps1p * 2 ** 26 : eps1p === 0 ? 0 : Infinity;
    for (let k = 0; k < levels; k++) {
      const lq = logQ[k]!;
      const a = start + Math.max(1, k * merged);
      const b = start + Math.min(size - 1, (k + 1) * merged);
      let gp = 0;
      let gl = 0;
      for (let idx = a; idx < b; idx++) {
        const fp = fh[idx]!;
        if (fp === 0) {
          gp += eps32;
          gl += eps32 * logEps;
          continue;
        }
        if (fp >= unchanged) {
          gp += fp;
          gl += fpLogFh[idx]!;
          continue;
        }
        const ps = f32(fp + eps1p);
        let lp = logFh[idx]!;
        if (ps !== fp) {
          const d = (ps - fp) * invFh[idx]!;
          lp = d < 1e-4 && d > -1e-4 ? lp + d * (1 - d * (0.5 - d * (1 / 3 - d * 0.25))) : Math.log(ps);
        }
        gp += ps;
        gl += ps * lp;
      }
      sp += gp;
      acc += gl - gp * lq;
    }
    for (let idx = start + covered; idx < end - 1; idx++) {
      const fp = fh[idx]!;
      let ps = eps32;
      let lp = logEps;
      if (fp !== 0) {
        ps = f32(fp + eps1p);
        lp = logFh[idx]!;
        if (ps !== fp) {
          const d = (ps - fp) * invFh[idx]!;
          lp = d < 1e-4 && d > -1e-4 ? lp + d * (1 - d * (0.5 - d * (1 / 3 - d * 0.25))) : Math.log(ps);
        }
      }
      sp += ps;
      acc += ps * (lp - logEps);
    }
    // the edge bins
    const edge = (pv: number, lq: number): void => {
      const ps = pv === 0 ? eps32 : f32(f32(pv) + eps1p);
      sp += ps;
      acc += ps * (Math.log(ps) - lq);
    };
    edge(pFirst, logQ[0]!);
    edge(pLast, covered === size ? logQ[levels - 1]! : logEps);
    if (!(sp > 0)) return null;
    const kl = acc / sp + Math.log(sq / sp);
    if (kl < best) {
      best = kl;
      bestWindow = [start, end];
    }
  }
  return bestWindow;
}

function onnxruntimeEntropyWindowGeneric(hist: Float64Array, levels: number): [number, number] {
  const nb = hist.length;
  const zero = Math.floor(nb / 2);
  const half = Math.floor(levels / 2);
  const prefix = new Float64Array(nb + 1);
  for (let j = 0; j < nb; j++) prefix[j + 1] = prefix[j]! + hist[j]!;
  let best = Infinity;
  let bestWindow: [number, number] = [Math.max(0, zero - half), Math.min(nb, zero + half + 1)];
  const f32 = Math.fround;
  const eps32 = f32(1e-4);
  const logEps = Math.log(eps32);
  const fh = new Float64Array(nb);
  const logFh = new Float64Array(nb);
  for (let j = 0; j < nb; j++) {
    fh[j] = f32(hist[j]!);
    logFh[j] = fh[j]! > 0 ? Math.log(fh[j]!) : 0;
  }
  const p = new Float64Array(nb);
  const qv = new Float64Array(levels);
  const logQ = new Float64Array(levels);
  const qs = new Float64Array(levels);
  for (let i = half; i <= zero; i++) {
    const start = zero - i;
    const end = Math.min(zero + i + 1, nb);
    const size = end - start;
    for (let j = 0; j < size; j++) p[j] = hist[start + j]!;
    p[0]! += prefix[start]!;
    p[size - 1]! += prefix[nb]! - prefix[end]!;
    const merged = Math.floor(size / levels);
    let zerosP = 0;
    let zerosQ = size - levels * merged;
    for (let k = 0; k < levels; k++) {
      let sum = 0;
      let norm = 0;
      const s0 = k * merged;
      for (let j = s0; j < s0 + merged; j++) {
        sum += hist[start + j]!;
        if (p[j] !== 0) norm++;
      }
      zerosP += merged - norm;
      if (k === levels - 1) for (let j = levels * merged; j < size; j++) sum += hist[start + j]!;
      const v = norm !== 0 ? Math.trunc(sum / norm) : 0;
      qv[k] = v;
      if (v === 0) zerosQ += merged;
    }
    for (let j = levels * merged; j < size; j++) if (p[j] === 0) zerosP++;
    const nonZerosP = size - zerosP;
    const nonZerosQ = size - zerosQ;
    if (nonZerosP === 0 || nonZerosQ === 0) continue; // KL = Infinity, never < best
    const eps1p = f32(-((1e-4 * zerosP) / nonZerosP));
    const eps1q = f32(-((1e-4 * zerosQ) / nonZerosQ));
    for (let k = 0; k < levels; k++) {
      const v = qv[k]!;
      const q = v === 0 ? eps32 : f32(f32(v) + eps1q);
      qs[k] = q;
      logQ[k] = q > 0 ? Math.log(q) : NaN;
    }
    let sp = 0;
    let sq = 0;
    let spPos = 0;
    let acc = 0;
    let bad = false;
    const term = (j: number, q: number, lq: number): void => {
      const pj = p[j]!;
      let ps: number;
      let lp: number;
      if (pj === 0) {
        ps = eps32;
        lp = logEps;
      } else {
        const fp = j === 0 || j === size - 1 ? f32(pj) : fh[start + j]!;
        ps = f32(fp + eps1p);
        lp = j !== 0 && j !== size - 1 && ps === fp ? logFh[start + j]! : Math.log(ps);
      }
      sp += ps;
      sq += q;
      if (ps > 0) {
        if (!(q > 0)) bad = true;
        spPos += ps;
        acc += ps * (lp - lq);
      }
    };
    for (let k = 0; k < levels; k++) {
      const q = qs[k]!;
      const lq = logQ[k]!;
      const s0 = k * merged;
      for (let j = s0; j < s0 + merged; j++) term(j, q, lq);
    }
    for (let j = levels * merged; j < size; j++) term(j, eps32, logEps);
    const kl = bad ? Infinity : acc / sp + (spPos / sp) * Math.log(sq / sp);
    if (kl < best) {
      best = kl;
      bestWindow = [start, end];
    }
  }
  return bestWindow;
}
