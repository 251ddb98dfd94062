// The baseline promise of the build: only the ISA folders' objects contain AVX code (they are
// the only ones compiled with ISA flags), and AVX-VNNI code uses no AVX-512 (EVEX) encoding.
// Checked on the objects of the build in build/ (cmake-js or node-gyp) with objdump.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const isX86 = process.arch === 'x64';

function objectsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? objectsUnder(full) : full.endsWith('.o') ? [full] : [];
  });
}

/** Instructions of an object: [mnemonic, operands] per line of `objdump -d`. */
function instructions(object: string): [string, string][] {
  const text = execFileSync('objdump', ['-d', '--no-show-raw-insn', object], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const out: [string, string][] = [];
  for (const line of text.split('\n')) {
    // An explicit encoding prefix ({vex}, {evex}) stays part of the mnemonic.
    const m = /^\s+[0-9a-f]+:\s+((?:\{\w+\}\s+)?[a-z][\w.]*)\s*(.*)$/.exec(line);
    if (m) out.push([m[1]!, m[2]!]);
  }
  return out;
}

// VEX/EVEX-encoded instructions all start with 'v' in AT&T syntax (vmovups, vpaddd, vzeroupper...).
const isAvx = ([mnemonic]: [string, string]) => {
  const name = mnemonic.replace(/^\{\w+\}\s+/, '');
  return name.startsWith('v') && name !== 'verr' && name !== 'verw';
};
const isAvx512 = ([, operands]: [string, string]) => /%zmm|%k[0-7]\b|\{%k[0-7]\}/.test(operands);

describe.runIf(isX86)('ISA flags stay inside the ISA folders (objdump)', () => {
  const objects = objectsUnder(path.join(root, 'build')).filter((o) => o.includes(`${path.sep}native${path.sep}`));

  it('finds the build objects to check', () => {
    expect(objects.length, 'no objects under build/: run `npm run build` first').toBeGreaterThan(5);
  });

  it('has no AVX instruction in any object outside native/kernels/x86_*', () => {
    const baseline = objects.filter((o) => !/[/\\]x86_(avx2|avxvnni|avx512vnni)[/\\]/.test(o));
    expect(baseline.length).toBeGreaterThan(3);
    for (const object of baseline) {
      const avx = instructions(object).filter(isAvx);
      expect(avx.slice(0, 3), path.relative(root, object)).toEqual([]);
    }
  });

  it('has AVX code in the ISA objects, and no AVX-512 in the AVX2 and AVX-VNNI ones', () => {
    const isaObjects = objects.filter((o) => /[/\\]x86_(avx2|avxvnni|avx512vnni)[/\\]/.test(o));
    expect(isaObjects.length).toBeGreaterThanOrEqual(3);
    for (const object of isaObjects) {
      const insns = instructions(object);
      expect(insns.some(isAvx), path.relative(root, object)).toBe(true);
      const evex = insns.filter(isAvx512);
      if (/[/\\]x86_avx512vnni[/\\]/.test(object)) expect(evex.length).toBeGreaterThan(0);
      else expect(evex.slice(0, 3), path.relative(root, object)).toEqual([]);
    }
  });

  it('encodes every AVX-VNNI dot product with the VEX form of vpdpbusd', () => {
    const vnni = isaObjects().filter((o) => /[/\\]x86_avxvnni[/\\]/.test(o));
    expect(vnni.length).toBeGreaterThan(0);
    const dp = vnni.flatMap((o) => instructions(o)).filter(([m]) => m.endsWith('vpdpbusd'));
    expect(dp.length).toBeGreaterThan(0);
    for (const [m] of dp) expect(m).toBe('{vex} vpdpbusd');
    for (const [, operands] of dp) expect(operands).toMatch(/%[xy]mm/);
  });

  function isaObjects(): string[] {
    return objects.filter((o) => /[/\\]x86_(avx2|avxvnni|avx512vnni)[/\\]/.test(o));
  }
});
