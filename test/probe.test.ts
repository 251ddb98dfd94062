import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ISA_NAMES, QuantaError, capabilities, isa, numThreads, setIsa, setNumThreads } from '../lib/index.js';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist/cjs/cli/main.js');
const x86 = process.arch === 'x64';

/** Runs a snippet against the built package in a fresh process with extra environment. */
function node(code: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['-e', code], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
}

describe('capabilities()', () => {
  const c = capabilities();

  it('names the machine and its features', () => {
    expect(c.arch).toBe(process.arch);
    expect(c.platform).toBe(process.platform);
    expect(c.cpuModel.length).toBeGreaterThan(0);
    expect(c.logicalCores).toBeGreaterThanOrEqual(1);
    const expected = x86
      ? ['sse4.2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512vnni', 'avxvnni', 'avx512bf16', 'avx512vpopcntdq', 'amxInt8']
      : ['neon', 'dotprod', 'i8mm', 'sve', 'bf16'];
    expect(Object.keys(c.features).sort()).toEqual([...expected].sort());
  });

  it('reports the kernel of each family and the best path', () => {
    expect(ISA_NAMES).toContain(c.bestIsa);
    for (const family of ['quantize', 'dequantize', 'requantize', 'gemm', 'sgemm', 'int4', 'binary', 'read']) expect(ISA_NAMES).toContain(c.kernels[family]);
    expect(c.unavailable[c.bestIsa]).toBeNull();
  });

  it('agrees with /proc/cpuinfo on what the OS exposes', () => {
    if (process.platform !== 'linux' || !x86) return;
    const flags = execFileSync('sh', ['-c', "grep -m1 '^flags' /proc/cpuinfo"], { encoding: 'utf8' }).split(/\s+/);
    expect(c.features.avx2).toBe(flags.includes('avx2'));
    expect(c.features.avx512vnni).toBe(flags.includes('avx512_vnni'));
    expect(c.features.avxvnni).toBe(flags.includes('avx_vnni'));
    expect(c.features.avx512vpopcntdq).toBe(flags.includes('avx512_vpopcntdq'));
    // avx512vnni hardware gets the avx512vnni integer kernels
    if (c.features.avx512vnni && c.features.avx512bw && c.features.avx512vl && c.features.avx512dq) {
      expect(c.bestIsa).toBe('avx512vnni');
    }
  });

  it('probes CUDA lazily and never requires it', () => {
    const cuda = c.cuda;
    expect(typeof cuda.available).toBe('boolean');
    if (!cuda.available) expect(cuda.reason).toMatch(/\w/);
    else expect(cuda.devices.length).toBeGreaterThan(0);
  });
});

describe('setIsa() / isa()', () => {
  it('switches to every path this machine runs and back', () => {
    const start = isa();
    for (const name of ISA_NAMES) {
      if (capabilities().unavailable[name] !== null) continue;
      setIsa(name);
      expect(isa()).toBe(name);
      // Every path has its own int8 GEMM kernel, so that family always reports the path itself.
      expect(capabilities().kernels.gemm).toBe(name);
    }
    setIsa(start);
    expect(isa()).toBe(start);
  });

  it('reports ref kernels for every family under ref', () => {
    const start = isa();
    setIsa('ref');
    expect(new Set(Object.values(capabilities().kernels))).toEqual(new Set(['ref']));
    setIsa(start);
  });

  it('refuses a path the machine cannot run with ERR_QUANTA_UNSUPPORTED_ISA and keeps the active one', () => {
    const start = isa();
    const impossible = x86 ? 'dotprod' : 'avx2';
    let error: unknown;
    try {
      setIsa(impossible);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QuantaError);
    expect((error as QuantaError).code).toBe('ERR_QUANTA_UNSUPPORTED_ISA');
    expect((error as QuantaError).message).toContain(impossible);
    expect(isa()).toBe(start);
  });

  it('rejects unknown names with ERR_QUANTA_INVALID_ARGUMENT', () => {
    expect(() => setIsa('sse9' as never)).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_ARGUMENT' }));
  });
});

describe('QUANTA_ISA', () => {
  it('forces the path at load time', () => {
    const r = node("const q = require('./dist/cjs/index.js'); console.log(q.isa(), q.capabilities().kernels.quantize)", { QUANTA_ISA: 'ref' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('ref ref');
  });

  it.runIf(x86)('can pick avxvnni, and setIsa() moves off it', () => {
    const r = node("const q = require('./dist/cjs/index.js'); const a = q.isa(); q.setIsa('ref'); console.log(a, q.isa())", { QUANTA_ISA: 'avxvnni' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(capabilities().unavailable.avxvnni === null ? 'avxvnni ref' : '');
  });

  it('names an impossible path in a clear error, and the process survives to handle it', () => {
    const impossible = x86 ? 'dotprod' : 'avx512vnni';
    const r = node(
      "try { require('./dist/cjs/index.js').isa(); console.log('loaded') } catch (e) { console.log(e.code + ': ' + e.message) } console.log('alive')",
      { QUANTA_ISA: impossible },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`ERR_QUANTA_UNSUPPORTED_ISA: QUANTA_ISA=${impossible}`);
    expect(r.stdout).toContain('alive');
  });
});

describe('threads', () => {
  it('defaults to the logical cores and can be set', () => {
    setNumThreads(0);
    expect(numThreads()).toBe(capabilities().logicalCores);
    setNumThreads(1);
    expect(numThreads()).toBe(1);
    setNumThreads(0);
    expect(() => setNumThreads(-1)).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_ARGUMENT' }));
  });
});

describe('quanta probe (CLI)', () => {
  it('prints a table', () => {
    const out = execFileSync(process.execPath, [cli, 'probe'], { encoding: 'utf8' });
    expect(out).toMatch(/active isa\s+\w+/);
    expect(out).toMatch(/kernel: quantize\s+\w+/);
  });

  it('prints JSON with --json', () => {
    const out = JSON.parse(execFileSync(process.execPath, [cli, 'probe', '--json'], { encoding: 'utf8' }));
    expect(out.arch).toBe(process.arch);
    expect(out.cuda).toHaveProperty('available');
    expect(out.kernels).toHaveProperty('quantize');
    if (x86 && capabilities().bestIsa === 'avx512vnni') {
      expect(out.features.avx2 && out.features.avxvnni && out.features.avx512vnni).toBe(true);
      expect(out.features.amxInt8).toBe(false);
      expect(out.kernels.gemm).toBe('avx512vnni');
    }
  });

  it('measures the read bandwidth of four buffer sizes with --bandwidth', () => {
    const out = JSON.parse(execFileSync(process.execPath, [cli, 'probe', '--json', '--bandwidth'], { encoding: 'utf8' }));
    expect(out.readBandwidth.map((r: { bytes: number }) => r.bytes)).toEqual([16 * 1024, 512 * 1024, 8 * 2 ** 20, 256 * 2 ** 20]);
    for (const r of out.readBandwidth) expect(r.bestGBps >= r.medianGBps && r.medianGBps > 0).toBe(true);
    const table = execFileSync(process.execPath, [cli, 'probe', '--bandwidth'], { encoding: 'utf8' });
    expect(table).toMatch(/read bandwidth, one thread[^\n]*\n\s+16 KiB\s+\d+\.\d \/ \d+\.\d/);
  });

  it('runs the demo', () => {
    const out = execFileSync(process.execPath, [cli, 'demo'], { encoding: 'utf8' });
    expect(out).toMatch(/int8 per channel, symmetric\s+SQNR\s+\d+\.\d+ dB/);
    // The linear layer: int8 weights and per-row activations keep ~40 dB of the float product.
    const linear = /SQNR (\d+\.\d+) dB against the float64 product/.exec(out);
    expect(linear).not.toBeNull();
    expect(Number(linear![1])).toBeGreaterThan(35);
  });
});
