// Small helpers shared by the engine tests: seeded data, the paths this machine runs, and the
// error code a call throws.
import { expect } from 'vitest';

import { ISA_NAMES, QuantaError, capabilities } from '../lib/index.js';
import type { IsaName } from '../lib/index.js';

/** Every kernel path this machine can run. */
export const paths: IsaName[] = ISA_NAMES.filter((name) => capabilities().unavailable[name] === null);

/** A seeded 32-bit LCG (Numerical Recipes constants): the same data on every run and machine. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

/** n bytes (the LCG's top byte), as int8 or uint8. */
export function lcgBytes(n: number, seed: number, signed: boolean): Int8Array | Uint8Array {
  const next = lcg(seed);
  const out = signed ? new Int8Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = next() >>> 24;
  return out;
}

/** The QuantaError code fn throws, or 'none'. Anything thrown that is not a QuantaError fails. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantaError);
    return (e as QuantaError).code;
  }
  return 'none';
}

/** The QuantaError code a Promise rejects with, or 'none'. */
export async function rejectionCodeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(QuantaError);
    return (e as QuantaError).code;
  }
  return 'none';
}
