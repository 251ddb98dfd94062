/**
 * Loading the addon, and the hand-written type of what it exports. Everything else in lib/
 * talks to native code through `addon()` only.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { QuantaError, rethrowNative } from './errors';

type Int8Like = Int8Array | Uint8Array;

/** The raw addon. Arguments are validated by the callers in lib/ before they get here. */
export interface NativeAddon {
  cpuInfo(): {
    cpuModel: string;
    logicalCores: number;
    features: Record<string, boolean>;
    bestIsa: string;
    unavailable: Record<string, string | null>;
  };
  kernelsInUse(): Record<string, string>;
  isa(): string;
  isaEnvironmentError(): string | null;
  setIsa(name: string): void;
  numThreads(): number;
  setNumThreads(n: number): void;
  cuda(): { available: boolean; reason: string | null; devices: { name: string; computeCapability: string; totalMemory: number }[] };
  /** `passes` reads of the view's bytes with the active path's memory-read kernel (probe_binding.cc). */
  timeRead(buffer: ArrayBufferView, passes: number): [seconds: number, checksum: bigint];
  quantizeLinear(
    x: Float32Array, scale: Float32Array, zeroPoint: Int32Array, y: Int8Like,
    outer: number, axis: number, inner: number, layout: number, block: number,
    qmin: number, qmax: number, isa?: string,
  ): void;
  dequantizeLinear(
    x: Int8Like, scale: Float32Array, zeroPoint: Int32Array, y: Float32Array,
    outer: number, axis: number, inner: number, layout: number, block: number, isa?: string,
  ): void;
  requantize(
    acc: Int32Array, multiplier: Float32Array, zeroPoint: Int32Array, y: Int8Like,
    outer: number, axis: number, inner: number, layout: number, block: number,
    qmin: number, qmax: number, isa?: string,
  ): void;
  requantizeFixed(
    acc: Int32Array, multiplier: Int32Array, shift: Int32Array, zeroPoint: Int32Array, y: Int8Like,
    outer: number, axis: number, inner: number, qmin: number, qmax: number, isa?: string,
  ): void;
  /** k-means codebooks ([units x levels], ascending) and one code per value (codebook_binding.cc). */
  codebookFit(
    x: Float32Array, codebooks: Float32Array, codes: Uint8Array,
    outer: number, axis: number, inner: number, layout: number, block: number,
    levels: number, iterations: number, isa?: string,
  ): void;
  codebookLookup(
    codes: Uint8Array, codebooks: Float32Array, y: Float32Array,
    outer: number, axis: number, inner: number, layout: number, block: number, levels: number,
  ): void;
  /** The path the kmeans kernels run on (the active one, or `isa`'s). */
  codebookKernelIsa(isa?: string): string;
  /** Min / max of the finite values and the non-finite count (range_binding.cc). */
  rangeF32(x: Float32Array, isa?: string): [min: number, max: number, nonFinite: number];
  /** Per-channel min / max over [outer, axis, inner], updating mins / maxs; returns the non-finite count. */
  rangePerChannelF32(
    x: Float32Array, outer: number, axis: number, inner: number, mins: Float64Array, maxs: Float64Array, isa?: string,
  ): number;
  /** Adds the histogram of x to counts; lo32 / inv32 are float32 values. Returns the non-finite count. */
  histogramF32(x: Float32Array, lo32: number, inv32: number, counts: Float64Array, abs: boolean, isa?: string): number;
  /** Packed GEMM weights as an opaque, type-tagged handle (gemm_binding.cc). */
  gemmPackWeights(
    b: Int8Like, bSigned: boolean, layoutNK: boolean, n: number, k: number,
    zeroPoint: Int32Array, scale: Float32Array, bias: Float32Array | null,
  ): unknown;
  /** kind: 0 int32, 1 float32, 2 uint8, 3 int8; y holds M * N of them. */
  gemm(
    packed: unknown, a: Int8Like, aSigned: boolean, m: number, aZeroPoint: Int32Array, kind: number,
    y: Int32Array | Float32Array | Uint8Array | Int8Array, scaleA: Float32Array, activation: number,
    outScale: number, outZeroPoint: number, qmin: number, qmax: number, isa: string | undefined, async: boolean,
  ): Promise<void> | undefined;
  gemmDynamic(packed: unknown, x: Float32Array, m: number, perRow: boolean, y: Float32Array, activation: number, isa: string | undefined, async: boolean): Promise<void> | undefined;
  gemmSerialize(packed: unknown, bSigned: boolean, layoutNK: boolean, hasScale: boolean): Uint8Array;
  gemmDeserialize(bytes: Uint8Array): { handle: unknown; n: number; k: number; bSigned: boolean; layoutNK: boolean; hasScale: boolean };
  gemmKernelIsa(isa?: string): string;
  /** Packed float32 GEMM weights as an opaque, type-tagged handle (sgemm_binding.cc). */
  sgemmPackWeights(b: Float32Array, layoutNK: boolean, n: number, k: number, bias: Float32Array | null): unknown;
  /** a holds M * K values, y M * N. */
  sgemm(packed: unknown, a: Float32Array, m: number, y: Float32Array, relu: boolean, isa: string | undefined, async: boolean): Promise<void> | undefined;
  sgemmKernelIsa(isa?: string): string;
  /** Packed int4 weights as an opaque, type-tagged handle (int4_binding.cc); codes [N, K/2] nibbles, each XOR flip. */
  int4PackWeights(
    codes: Uint8Array, flip: number, scales: Float32Array, zeroPoints: Uint8Array | null, n: number, k: number, group: number,
  ): unknown;
  /** y [M, N] = x [M, K] . W^T (+ bias), float32 or per-group int8 activations. */
  int4Linear(
    packed: unknown, x: Float32Array, m: number, int8Activations: boolean, bias: Float32Array | null, y: Float32Array,
    isa: string | undefined, async: boolean,
  ): Promise<void> | undefined;
  int4PackedInfo(packed: unknown): { n: number; k: number; group: number; hasZeroPoints: boolean; bytes: number };
  /** A copy of the packed layout's bytes. */
  int4PackedBytes(packed: unknown): Uint8Array;
  int4KernelIsa(isa?: string): string;
  /** Packed binary weights as an opaque, type-tagged handle (binary_binding.cc). */
  binaryPackWeights(
    bits: Uint8Array, layoutNK: boolean, n: number, k: number, scale: Float32Array, bias: Float32Array | null, groupSize: number,
  ): unknown;
  /** Sign bits (m * ceil(k / 64) words) and mean |x| per row of x [m, k]. */
  binaryBinarize(x: Float32Array, m: number, k: number, words: BigUint64Array, scale: Float32Array): void;
  /** mode: 0 binary words, 1 float32 binarized natively, 2 float32 activations; kind: 0 int32, 1 float32. */
  binaryGemm(
    packed: unknown, mode: number, m: number, words: BigUint64Array | null, scaleA: Float32Array | null,
    x: Float32Array | null, kind: number, y: Int32Array | Float32Array, isa: string | undefined, async: boolean,
  ): Promise<void> | undefined;
  /** [binary x binary path, binary x float32 path]. */
  binaryKernelIsa(isa?: string): [string, string];
}

/** The package root: the folder of the package.json named "quanta" above this file. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'quanta') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new QuantaError('ERR_QUANTA_NATIVE_LOAD', 'cannot find the quanta package root');
    dir = parent;
  }
}

function libc(): string {
  if (process.platform !== 'linux') return 'n/a';
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ? `glibc ${report.header.glibcVersionRuntime}` : 'musl';
}

function loadError(cause: unknown): QuantaError {
  const napi = process.versions.napi ?? 'unknown';
  const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return new QuantaError(
    'ERR_QUANTA_NATIVE_LOAD',
    [
      `quanta: no native binary could be loaded for ${process.platform}-${process.arch} ` +
        `(libc: ${libc()}, Node-API ${napi}, Node ${process.version}).`,
      `Cause: ${reason}`,
      'Ways out:',
      '  - install a C++17 compiler, Python 3 and make (Debian: apt-get install build-essential python3),',
      '    then run `npm rebuild quanta` to build it from source;',
      '  - or use a platform with a prebuilt binary (linux-x64 and the others listed in prebuilds/README.md).',
    ].join('\n'),
  );
}

let cached: NativeAddon | undefined;

export function addon(): NativeAddon {
  if (cached) return cached;
  let loaded: NativeAddon;
  try {
    // node-gyp-build looks in build/Release (a local build) and then prebuilds/<platform>-<arch>.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = require('node-gyp-build') as (dir: string) => NativeAddon;
    loaded = load(packageRoot());
  } catch (error) {
    throw loadError(error);
  }
  const envError = loaded.isaEnvironmentError();
  if (envError !== null) throw new QuantaError('ERR_QUANTA_UNSUPPORTED_ISA', envError);
  cached = loaded;
  return loaded;
}

/** Calls into native code and re-homes its errors as QuantaError. */
export function callNative<T>(fn: (native: NativeAddon) => T): T {
  const native = addon();
  try {
    return fn(native);
  } catch (error) {
    return rethrowNative(error);
  }
}

/** callNative for the Promise forms: a rejection carries the same QuantaError a throw would. */
export async function callNativeAsync<T>(fn: (native: NativeAddon) => Promise<T>): Promise<T> {
  try {
    return await callNative(fn);
  } catch (error) {
    return rethrowNative(error);
  }
}
