/**
 * One error class for everything quanta rejects, with a stable `code`. Messages follow one
 * grammar: what was wrong with which argument, what was expected, what was received.
 */

export type QuantaErrorCode =
  | 'ERR_QUANTA_INVALID_ARGUMENT'
  | 'ERR_QUANTA_INVALID_DTYPE'
  | 'ERR_QUANTA_INVALID_SHAPE'
  | 'ERR_QUANTA_INVALID_AXIS'
  | 'ERR_QUANTA_INVALID_SCALE'
  | 'ERR_QUANTA_INVALID_ZERO_POINT'
  | 'ERR_QUANTA_NON_FINITE'
  | 'ERR_QUANTA_EMPTY_TENSOR'
  | 'ERR_QUANTA_DETACHED_BUFFER'
  | 'ERR_QUANTA_OUT_OF_MEMORY'
  | 'ERR_QUANTA_INVALID_FILE'
  | 'ERR_QUANTA_UNSUPPORTED_ISA'
  | 'ERR_QUANTA_NATIVE_LOAD';

export class QuantaError extends Error {
  readonly code: QuantaErrorCode;

  constructor(code: QuantaErrorCode, message: string) {
    super(message);
    this.name = 'QuantaError';
    this.code = code;
  }
}

/** A short, readable description of any received value, for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (ArrayBuffer.isView(value)) {
    const length = 'length' in value ? (value as unknown as { length: number }).length : value.byteLength;
    return `${value.constructor.name}(${length})`;
  }
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/** `name` must be `expected`, received `value`. */
export function invalid(
  code: QuantaErrorCode,
  name: string,
  expected: string,
  value: unknown,
): QuantaError {
  return new QuantaError(code, `${name} must be ${expected}, received ${describe(value)}`);
}

/**
 * Native functions throw plain Errors with a `code`; this re-throws them as QuantaError from the
 * caller's stack so every failure looks the same to users.
 */
export function rethrowNative(error: unknown): never {
  const e = error as { code?: string; message?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('ERR_QUANTA_')) {
    throw new QuantaError(e.code as QuantaErrorCode, e.message ?? 'native error');
  }
  throw error;
}
