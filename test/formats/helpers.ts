/** Shared by the format tests: reading the committed fixtures and float32 bit patterns. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'formats', `${name}.json`), 'utf8')) as T;
}

/** A Float32Array holding exactly these bit patterns (NaN payloads and signs included). */
export function fromBits(bits: readonly number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

export function bitsOf(x: Float32Array): number[] {
  return Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
}

/** Compares float32 results with expected bit patterns; null means "any NaN". */
export function expectBits(actual: Float32Array, expected: readonly (number | null)[]): string[] {
  const bits = bitsOf(actual);
  const bad: string[] = [];
  expected.forEach((want, i) => {
    const ok = want === null ? Number.isNaN(actual[i]) : bits[i] === want;
    if (!ok) bad.push(`[${i}] got 0x${bits[i]!.toString(16)} (${actual[i]}), want ${want === null ? 'NaN' : `0x${want.toString(16)}`}`);
  });
  return bad;
}
