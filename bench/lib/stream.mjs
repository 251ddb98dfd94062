// Builds bench/native/stream.cc into bench/.build/ and runs it: the machine's memory bandwidth,
// measured in the same run as the suites it is compared with.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('..', import.meta.url));
const buildDir = `${here}.build/`;

/** ISA flags for this CPU (x86 AVX-512 when the OS enables it), from quanta's own probe. */
export function isaFlags(features) {
  if (process.arch === 'x64' && features.avx512f && features.avx512bw && features.avx512vl) {
    return ['-mavx512f', '-mavx512bw', '-mavx512vl'];
  }
  return []; // portable loops: a lower bound of the limit
}

/** Builds bench/native/<name>.cc into bench/.build/<name> (again when the source or flags change). */
export function buildNative(name, flags) {
  const src = `${here}native/${name}.cc`;
  const binary = `${buildDir}${name}`;
  const stamp = `${buildDir}${name}.flags`;
  const wanted = ['-O2', '-std=c++17', ...flags, '-pthread'].join(' ');
  const fresh =
    existsSync(binary) &&
    statSync(binary).mtimeMs >= statSync(src).mtimeMs &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8') === wanted;
  if (!fresh) {
    mkdirSync(buildDir, { recursive: true });
    const cxx = process.env.CXX ?? 'c++';
    execFileSync(cxx, [...wanted.split(' '), '-o', binary, src], { stdio: ['ignore', 'inherit', 'inherit'] });
    writeFileSync(stamp, wanted);
  }
  return { binary, flags: wanted, compiler: execFileSync(process.env.CXX ?? 'c++', ['--version']).toString().split('\n')[0] };
}

export function buildStream(features) {
  return buildNative('stream', isaFlags(features));
}

/** One stream run in its own process; returns its JSON (GB/s per kernel). */
export function runStream(binary, { mib = 64, reps = 20, threads = 1 } = {}) {
  const out = execFileSync(binary, ['--mib', String(mib), '--reps', String(reps), '--threads', String(threads)]);
  return JSON.parse(out.toString());
}
