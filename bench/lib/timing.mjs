// Runs cases through tinybench: warm-up runs first, then a fixed number of timed runs; returns
// per-case median and min in ms. Setup belongs outside `fn`; tinybench times `fn` alone.
import { Bench, hrtimeNow } from 'tinybench';

/** The median of ascending numbers (the mean of the middle two for an even count). */
export function medianOfSorted(sorted) {
  const mid = (sorted.length - 1) / 2;
  return sorted[Math.floor(mid)] / 2 + sorted[Math.ceil(mid)] / 2;
}

export const WARMUP = 3;
export const RUNS = 20;

/**
 * cases: [{ name, fn, perCall?, opts? }] where fn may be async; perCall > 1 means fn makes that many
 * calls and the per-call time is reported; opts are tinybench's (beforeEach runs untimed).
 */
export async function timeCases(cases, { runs = RUNS, warmup = WARMUP } = {}) {
  const results = [];
  // One Bench per case, so that one case's warm-up runs right before its own timed runs.
  for (const c of cases) {
    const bench = new Bench({ now: hrtimeNow, iterations: runs, time: 0, warmupIterations: warmup, warmupTime: 0, throws: true });
    bench.add(c.name, c.fn, c.opts);
    await bench.run();
    const task = bench.getTask(c.name);
    const per = c.perCall ?? 1;
    const samples = [...task.result.latency.samples].map((ms) => ms / per).sort((a, b) => a - b);
    results.push({
      name: c.name,
      runs: samples.length,
      medianMs: medianOfSorted(samples),
      minMs: samples[0],
      maxMs: samples[samples.length - 1],
      samplesMs: samples,
    });
  }
  return results;
}
