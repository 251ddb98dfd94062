// What a user sees when no native binary loads: a clear error naming the platform, arch, libc
// and Node-API version, and the ways out — never a bare dlopen failure.
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'quanta-nobinary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loading without a binary', () => {
  it('throws ERR_QUANTA_NATIVE_LOAD with the platform and the ways out', () => {
    // The package without build/ and prebuilds/.
    cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'quanta', version: '0.0.0', main: 'dist/cjs/index.js' }));
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    const r = spawnSync(process.execPath, ['-e', "try { require('./dist/cjs/index.js').isa() } catch (e) { console.log(e.code); console.log(e.message) }"], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('ERR_QUANTA_NATIVE_LOAD');
    expect(r.stdout).toContain(`${process.platform}-${process.arch}`);
    expect(r.stdout).toMatch(/libc: (glibc [\d.]+|musl|n\/a)/);
    expect(r.stdout).toContain(`Node-API ${process.versions.napi}`);
    expect(r.stdout).toContain('npm rebuild quanta');
    expect(r.stdout).toContain('prebuilt binary');
  });
});
