/** What this machine can run, which kernels are in use, and the switches that change them. */
import os from 'node:os';

import { QuantaError, invalid } from './errors';
import { addon, callNative } from './native';

export const ISA_NAMES = ['ref', 'avx2', 'avxvnni', 'avx512vnni', 'neon', 'dotprod'] as const;
export type IsaName = (typeof ISA_NAMES)[number];

export interface CudaCapabilities {
  available: boolean;
  /** Why CUDA is not available; null when it is. */
  reason: string | null;
  devices: { name: string; computeCapability: string; totalMemory: number }[];
}

export interface Capabilities {
  arch: string;
  platform: string;
  cpuModel: string;
  logicalCores: number;
  /** x86: sse4.2 ... amxInt8; ARM: neon, dotprod, i8mm, sve, bf16. True only when the OS enabled it. */
  features: Record<string, boolean>;
  /** The path in use and the best this machine runs. */
  isa: IsaName;
  bestIsa: IsaName;
  /** Each path: null when usable here, else why not. */
  unavailable: Record<IsaName, string | null>;
  /** The path each kernel family runs on now. */
  kernels: Record<string, IsaName>;
  threads: number;
  /** Probed the first time it is read: loading the CUDA driver is slow and never required. */
  readonly cuda: CudaCapabilities;
}

let cudaProbe: CudaCapabilities | undefined;

export function capabilities(): Capabilities {
  const native = addon();
  const cpu = native.cpuInfo();
  return {
    arch: process.arch,
    platform: process.platform,
    cpuModel: cpu.cpuModel !== 'unknown' ? cpu.cpuModel : (os.cpus()[0]?.model ?? 'unknown'),
    logicalCores: cpu.logicalCores,
    features: cpu.features,
    isa: native.isa() as IsaName,
    bestIsa: cpu.bestIsa as IsaName,
    unavailable: cpu.unavailable as Record<IsaName, string | null>,
    kernels: native.kernelsInUse() as Record<string, IsaName>,
    threads: native.numThreads(),
    get cuda() {
      cudaProbe ??= native.cuda();
      return cudaProbe;
    },
  };
}

/** The path the kernels run on now. */
export function isa(): IsaName {
  return addon().isa() as IsaName;
}

/**
 * Forces a path for every later call (process-wide). Throws ERR_QUANTA_UNSUPPORTED_ISA when
 * this binary or this machine cannot run it; the active path is then unchanged.
 */
export function setIsa(name: IsaName): void {
  if (typeof name !== 'string' || !(ISA_NAMES as readonly string[]).includes(name)) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'isa', `one of ${ISA_NAMES.join(', ')}`, name);
  }
  callNative((native) => native.setIsa(name));
}

/** Threads the kernels use, the calling thread included. */
export function numThreads(): number {
  return addon().numThreads();
}

/** Sets the kernel thread count; 0 restores the default (the logical cores). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 1024) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'threads', 'an integer in [0, 1024]', n);
  }
  callNative((native) => native.setNumThreads(n));
}

export function assertIsaName(name: unknown, argument = 'isa'): asserts name is IsaName {
  if (typeof name !== 'string' || !(ISA_NAMES as readonly string[]).includes(name)) {
    throw new QuantaError(
      'ERR_QUANTA_INVALID_ARGUMENT',
      `${argument} must be one of ${ISA_NAMES.join(', ')}, received ${JSON.stringify(name)}`,
    );
  }
}
