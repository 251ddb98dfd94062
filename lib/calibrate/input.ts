/** Batch validation shared by the observers: float32 input, non-finite policy, channel layout. */
import { QuantaError, invalid } from '../errors';
import type { Float32Input } from '../tensor';
import { normalizeAxis, splitAt, viewFloat32 } from '../tensor';

export interface BatchView {
  data: Float32Array;
  dims: number[];
}

export function viewBatch(tensor: Float32Input): BatchView {
  return viewFloat32(tensor, 'tensor');
}

/** Throws ERR_QUANTA_NON_FINITE in strict mode when a batch held NaN or +-Inf. */
export function checkFinite(strict: boolean, nonFinite: number, length: number): void {
  if (strict && nonFinite > 0) {
    throw new QuantaError(
      'ERR_QUANTA_NON_FINITE',
      `tensor must hold finite values in strict mode, received ${nonFinite} NaN or infinite value(s) among ${length}`,
    );
  }
}

/** [outer, channels, inner] of a batch for a channel axis (possibly negative). */
export function channelLayout(view: BatchView, axis: number): [number, number, number] {
  const a = normalizeAxis(axis, view.dims.length, 'axis');
  return splitAt(view.dims, a);
}

export function checkChannels(expected: number | null, received: number): void {
  if (expected !== null && expected !== received) {
    throw new QuantaError(
      'ERR_QUANTA_INVALID_SHAPE',
      `tensor must have ${expected} channels along the observer's axis (as earlier batches had), received ${received}`,
    );
  }
}

export function checkOption(ok: boolean, name: string, expected: string, value: unknown): void {
  if (!ok) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, expected, value);
}

/** A JSON state must be of this kind and version. */
export function checkState(json: unknown, kind: string, version: number): Record<string, unknown> {
  const j = json as Record<string, unknown>;
  if (typeof j !== 'object' || j === null || j.kind !== kind) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'json', `a ${kind} state`, typeof j === 'object' && j !== null ? j.kind : j);
  }
  if (j.version !== version) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'json.version', String(version), j.version);
  return j;
}

/** JSON cannot hold +-Infinity: empty ranges are stored as null. */
export function numToJSON(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

export function numFromJSON(v: unknown, empty: number): number {
  return v === null || v === undefined ? empty : Number(v);
}
