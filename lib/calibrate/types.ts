/** The observer interface every calibration observer implements, and the types around it. */
import type { IntQuantDType } from '../dtypes';
import type { ParamsProfile } from '../params';
import type { Float32Input } from '../tensor';

/** How to turn an observed range into parameters: passed to computeQuantParams. */
export interface CalibrationScheme {
  dtype: IntQuantDType;
  symmetric?: boolean;
  narrowRange?: boolean;
  reduceRange?: boolean;
  profile?: ParamsProfile;
}

/** Scale and zero point, one entry per tensor (length 1) or per channel. */
export interface ObserverParams {
  scale: Float32Array;
  zeroPoint: Int32Array;
  qmin: number;
  qmax: number;
  /** Channel axis of a per-channel observer, null per tensor. */
  axis: number | null;
}

/** A range per tensor (length 1) or per channel, as float32 values. */
export interface ObservedRange {
  min: Float32Array;
  max: Float32Array;
}

/** The serialized state: plain JSON, with the observer's kind and a format version. */
export interface ObserverJSON {
  kind: string;
  version: number;
  [key: string]: unknown;
}

export interface Observer {
  /** Observed batches so far (empty batches excluded). */
  readonly batches: number;
  /** Finite values observed so far. */
  readonly count: number;
  /** NaN and +-Inf values skipped so far. */
  readonly nonFinite: number;
  /** Adds one batch: a Float32Array or a float32 `{ type, data, dims }` tensor. */
  observe(tensor: Float32Input): void;
  /** The range the parameters are computed from (after clipping, averaging or search). */
  computeRange(scheme: CalibrationScheme): ObservedRange;
  /** Scale and zero point for the scheme, per tensor or per channel. */
  computeParams(scheme: CalibrationScheme): ObserverParams;
  /** Folds another observer of the same kind and options into this one. */
  merge(other: this): this;
  toJSON(): ObserverJSON;
}
