// One source list feeds CMake and node-gyp; these checks fail if the two builds drift apart or
// if a file escapes the list or gets the wrong ISA flags.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const list = JSON.parse(read('native/sources.gypi')).variables as Record<string, string[]>;

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    return statSync(path.join(root, rel)).isDirectory() ? filesUnder(rel) : [rel];
  });
}

const ISA_FOLDERS = ['x86_avx2', 'x86_avxvnni', 'x86_avx512vnni', 'arm_neon', 'arm_dotprod'];

describe('native source list', () => {
  it('lists every C++ source of native/ exactly once (tests and CUDA aside)', () => {
    const listed = Object.entries(list).filter(([k]) => k.endsWith('_sources')).flatMap(([, v]) => v);
    const onDisk = filesUnder('native').filter((f) => f.endsWith('.cc') && !f.startsWith('native/test/') && !f.startsWith('native/cuda/'));
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...onDisk].sort());
  });

  it('keeps each ISA folder in its own list and everything else out of them', () => {
    for (const folder of ISA_FOLDERS) {
      for (const file of list[`quanta_${folder}_sources`] ?? []) expect(file.startsWith(`native/kernels/${folder}/`), file).toBe(true);
    }
    for (const key of ['quanta_core_sources', 'quanta_binding_sources']) {
      for (const file of list[key]!) expect(ISA_FOLDERS.some((f) => file.includes(`/${f}/`)), file).toBe(false);
    }
  });

  it('gives AVX-VNNI code no AVX-512 flag and nothing -march=native', () => {
    expect(list.quanta_x86_avxvnni_flags!.some((f) => f.includes('avx512'))).toBe(false);
    expect(list.quanta_x86_avxvnni_flags).toContain('-mavxvnni');
    const code = (file: string) => read(file).split('\n').filter((line) => !line.trim().startsWith('#')).join('\n');
    for (const file of ['CMakeLists.txt', 'binding.gyp', 'native/sources.gypi']) expect(code(file)).not.toContain('-march=native');
  });

  it('is read by both CMakeLists.txt and binding.gyp, which list no sources of their own', () => {
    const cmake = read('CMakeLists.txt');
    expect(cmake).toContain('native/sources.gypi');
    expect(cmake).not.toMatch(/native\/[\w/]+\.cc/);
    const gyp = read('binding.gyp');
    expect(gyp).toContain('"includes": ["native/sources.gypi"]');
    expect(gyp).not.toMatch(/native\/[\w/]+\.cc/);
    for (const folder of ISA_FOLDERS) {
      expect(gyp).toContain(`<@(quanta_${folder}_sources)`);
      expect(gyp).toContain(`<@(quanta_${folder}_flags)`);
      expect(cmake).toContain(folder);
    }
    expect(gyp).toContain('<@(quanta_core_sources)');
    expect(gyp).toContain('<@(quanta_binding_sources)');
  });
});
