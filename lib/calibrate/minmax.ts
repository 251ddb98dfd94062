/**
 * Min-max observers, per tensor or per channel along any axis, plain or moving average
 * (PyTorch MinMaxObserver, MovingAverageMinMaxObserver, PerChannelMinMaxObserver,
 * MovingAveragePerChannelMinMaxObserver).
 *
 * Moving average follows PyTorch in float32: the first batch with finite values sets the range,
 * then min <- min + c * (batch_min - min) (same for max), c = 0.01 by default. A channel whose
 * batch slice has no finite value keeps its range. merge() is exact for plain min-max; for
 * moving averages (which depend on batch order) it averages the two ranges weighted by their
 * batch counts, an approximation.
 */
import type { Float32Input } from '../tensor';
import { rangeOf, rangePerChannelInto } from './range-kernels';
import { channelLayout, checkChannels, checkFinite, checkOption, checkState, numFromJSON, numToJSON, viewBatch } from './input';
import { emptyObserverError, paramsOfRange } from './params-of-range';
import type { CalibrationScheme, Observer, ObservedRange, ObserverJSON, ObserverParams } from './types';

export interface MinMaxOptions {
  /** Throw ERR_QUANTA_NON_FINITE on NaN / +-Inf instead of skipping and counting them. */
  strict?: boolean;
}
export interface PerChannelOptions extends MinMaxOptions {
  /** Channel axis, negative counts from the end (default 0, PyTorch's ch_axis). */
  axis?: number;
}
export interface MovingAverageOptions {
  /** Averaging constant c (default 0.01, PyTorch's and onnxruntime's). */
  averagingConstant?: number;
}

const VERSION = 1;
const f32 = Math.fround;

interface RangeObserverConfig {
  kind: string;
  axis: number | null;
  averagingConstant: number | null;
  strict: boolean;
}

abstract class RangeObserverBase implements Observer {
  batches = 0;
  count = 0;
  nonFinite = 0;
  protected channels: number | null = null;
  protected mins = new Float64Array(0);
  protected maxs = new Float64Array(0);
  /** Per channel: whether a finite value was seen (moving average's first update). */
  protected seen = new Uint8Array(0);
  protected readonly config: RangeObserverConfig;

  protected constructor(config: RangeObserverConfig) {
    if (config.averagingConstant !== null) {
      const c = config.averagingConstant;
      checkOption(typeof c === 'number' && c > 0 && c <= 1, 'averagingConstant', 'a number in (0, 1]', c);
    }
    if (config.axis !== null) checkOption(Number.isInteger(config.axis), 'axis', 'an integer', config.axis);
    this.config = config;
  }

  get axis(): number | null {
    return this.config.axis;
  }

  private allocate(channels: number): void {
    this.channels = channels;
    this.mins = new Float64Array(channels).fill(Infinity);
    this.maxs = new Float64Array(channels).fill(-Infinity);
    this.seen = new Uint8Array(channels);
  }

  observe(tensor: Float32Input): void {
    const view = viewBatch(tensor);
    const { data } = view;
    const [outer, channels, inner] = this.config.axis === null ? [1, 1, data.length] : channelLayout(view, this.config.axis);
    checkChannels(this.channels, channels);
    if (data.length === 0) return;
    let bmin: Float64Array;
    let bmax: Float64Array;
    let nonFinite: number;
    if (this.config.axis === null) {
      const r = rangeOf(data);
      nonFinite = r.nonFinite;
      bmin = Float64Array.of(r.min);
      bmax = Float64Array.of(r.max);
    } else {
      bmin = new Float64Array(channels).fill(Infinity);
      bmax = new Float64Array(channels).fill(-Infinity);
      nonFinite = rangePerChannelInto(data, outer, channels, inner, bmin, bmax);
    }
    checkFinite(this.config.strict, nonFinite, data.length);
    if (this.channels === null) this.allocate(channels);
    const c = this.config.averagingConstant;
    const c32 = c === null ? 0 : f32(c);
    for (let k = 0; k < channels; k++) {
      const lo = bmin[k]!;
      const hi = bmax[k]!;
      if (!(lo <= hi)) continue; // no finite value in this channel's slice
      if (c === null) {
        if (lo < this.mins[k]!) this.mins[k] = lo;
        if (hi > this.maxs[k]!) this.maxs[k] = hi;
      } else if (!this.seen[k]) {
        this.mins[k] = lo;
        this.maxs[k] = hi;
      } else {
        // PyTorch: float32 tensors, the Python float c taken as float32.
        this.mins[k] = f32(this.mins[k]! + f32(c32 * f32(lo - this.mins[k]!)));
        this.maxs[k] = f32(this.maxs[k]! + f32(c32 * f32(hi - this.maxs[k]!)));
      }
      this.seen[k] = 1;
    }
    this.batches++;
    this.count += data.length - nonFinite;
    this.nonFinite += nonFinite;
  }

  computeRange(_scheme?: CalibrationScheme): ObservedRange {
    if (this.channels === null || this.count === 0) throw emptyObserverError(this.config.kind);
    const n = this.channels;
    const min = new Float32Array(n);
    const max = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      // A channel that never saw a finite value quantizes as all zeros.
      min[k] = this.seen[k] ? this.mins[k]! : 0;
      max[k] = this.seen[k] ? this.maxs[k]! : 0;
    }
    return { min, max };
  }

  computeParams(scheme: CalibrationScheme): ObserverParams {
    return paramsOfRange(this.computeRange(scheme), scheme, this.config.axis);
  }

  merge(other: this): this {
    checkOption(other instanceof RangeObserverBase && other.config.kind === this.config.kind
      && other.config.axis === this.config.axis && other.config.averagingConstant === this.config.averagingConstant,
    'other', `a ${this.config.kind} with the same options`, other);
    if (other.channels === null) return this;
    checkChannels(this.channels, other.channels);
    if (this.channels === null) this.allocate(other.channels);
    const averaging = this.config.averagingConstant !== null;
    for (let k = 0; k < other.channels; k++) {
      if (!other.seen[k]) continue;
      if (!this.seen[k]) {
        this.mins[k] = other.mins[k]!;
        this.maxs[k] = other.maxs[k]!;
      } else if (averaging) {
        const wa = this.batches;
        const wb = other.batches;
        this.mins[k] = f32((this.mins[k]! * wa + other.mins[k]! * wb) / (wa + wb));
        this.maxs[k] = f32((this.maxs[k]! * wa + other.maxs[k]! * wb) / (wa + wb));
      } else {
        this.mins[k] = Math.min(this.mins[k]!, other.mins[k]!);
        this.maxs[k] = Math.max(this.maxs[k]!, other.maxs[k]!);
      }
      this.seen[k] = 1;
    }
    this.batches += other.batches;
    this.count += other.count;
    this.nonFinite += other.nonFinite;
    return this;
  }

  /** Retained state in bytes: depends on the channel count only. */
  get stateBytes(): number {
    return this.mins.byteLength + this.maxs.byteLength + this.seen.byteLength;
  }

  toJSON(): ObserverJSON {
    return {
      kind: this.config.kind, version: VERSION,
      axis: this.config.axis, averagingConstant: this.config.averagingConstant, strict: this.config.strict,
      batches: this.batches, count: this.count, nonFinite: this.nonFinite, channels: this.channels,
      min: Array.from(this.mins, (v, k) => (this.seen[k] ? numToJSON(v) : null)),
      max: Array.from(this.maxs, (v, k) => (this.seen[k] ? numToJSON(v) : null)),
    };
  }

  protected load(json: unknown): this {
    const j = checkState(json, this.config.kind, VERSION);
    this.batches = Number(j.batches);
    this.count = Number(j.count);
    this.nonFinite = Number(j.nonFinite);
    if (j.channels !== null) {
      this.allocate(Number(j.channels));
      const mins = j.min as (number | null)[];
      const maxs = j.max as (number | null)[];
      for (let k = 0; k < this.channels!; k++) {
        if (mins[k] === null) continue;
        this.mins[k] = numFromJSON(mins[k], Infinity);
        this.maxs[k] = numFromJSON(maxs[k], -Infinity);
        this.seen[k] = 1;
      }
    }
    return this;
  }
}

/** Running min and max of everything observed (PyTorch MinMaxObserver). */
export class MinMaxObserver extends RangeObserverBase {
  constructor(options: MinMaxOptions = {}) {
    super({ kind: 'MinMaxObserver', axis: null, averagingConstant: null, strict: options.strict ?? false });
  }
  static fromJSON(json: unknown): MinMaxObserver {
    const j = json as { strict?: boolean };
    return new MinMaxObserver({ strict: j?.strict ?? false }).load(json);
  }
}

/** Moving average of per-batch min and max (PyTorch MovingAverageMinMaxObserver). */
export class MovingAverageMinMaxObserver extends RangeObserverBase {
  constructor(options: MinMaxOptions & MovingAverageOptions = {}) {
    super({ kind: 'MovingAverageMinMaxObserver', axis: null, averagingConstant: options.averagingConstant ?? 0.01, strict: options.strict ?? false });
  }
  static fromJSON(json: unknown): MovingAverageMinMaxObserver {
    const j = json as { strict?: boolean; averagingConstant?: number };
    return new MovingAverageMinMaxObserver({ strict: j?.strict ?? false, averagingConstant: j?.averagingConstant }).load(json);
  }
}

/** Running min and max per channel along `axis` (PyTorch PerChannelMinMaxObserver). */
export class PerChannelMinMaxObserver extends RangeObserverBase {
  constructor(options: PerChannelOptions = {}) {
    super({ kind: 'PerChannelMinMaxObserver', axis: options.axis ?? 0, averagingConstant: null, strict: options.strict ?? false });
  }
  static fromJSON(json: unknown): PerChannelMinMaxObserver {
    const j = json as { strict?: boolean; axis?: number };
    return new PerChannelMinMaxObserver({ strict: j?.strict ?? false, axis: j?.axis }).load(json);
  }
}

/** Moving average per channel (PyTorch MovingAveragePerChannelMinMaxObserver). */
export class MovingAveragePerChannelMinMaxObserver extends RangeObserverBase {
  constructor(options: PerChannelOptions & MovingAverageOptions = {}) {
    super({ kind: 'MovingAveragePerChannelMinMaxObserver', axis: options.axis ?? 0, averagingConstant: options.averagingConstant ?? 0.01, strict: options.strict ?? false });
  }
  static fromJSON(json: unknown): MovingAveragePerChannelMinMaxObserver {
    const j = json as { strict?: boolean; axis?: number; averagingConstant?: number };
    return new MovingAveragePerChannelMinMaxObserver({ strict: j?.strict ?? false, axis: j?.axis, averagingConstant: j?.averagingConstant }).load(json);
  }
}
