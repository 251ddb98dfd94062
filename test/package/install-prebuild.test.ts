// The package as users get it: prebuildify fills prebuilds/, `npm pack` makes the tarball, and
// the tarball installs into a fresh folder whose PATH has no compiler, make or Python, and loads
// the prebuilt binary from there (CommonJS and ESM). Runs on a copy of the package so the
// working tree's build/ is untouched.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'quanta-pack-'));
const pkgCopy = path.join(work, 'package');
const app = path.join(work, 'app');
const noCompilerBin = path.join(work, 'bin');
const BUILD_TOOLS = /^(cc|c\+\+|gcc|g\+\+|cpp|clang.*|.*-gcc(-\d+)?|.*-g\+\+(-\d+)?|gcc-\d+|g\+\+-\d+|make|gmake|cmake|ninja|python.*)$/;

function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

/** A bin folder with every program of the usual PATH except compilers, build tools and Python. */
function makeBinWithoutCompilers(): string {
  mkdirSync(noCompilerBin);
  for (const dir of ['/usr/local/bin', '/usr/bin', '/bin']) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const target = path.join(noCompilerBin, name);
      if (BUILD_TOOLS.test(name) || existsSync(target)) continue;
      symlinkSync(path.join(dir, name), target);
    }
  }
  return noCompilerBin;
}

let tarball = '';
let restrictedEnv: NodeJS.ProcessEnv = {};

beforeAll(() => {
  // A copy of what git tracks plus the built dist/, with the dev dependencies linked in.
  const tracked = sh('git', ['ls-files', '-co', '--exclude-standard'], root).split('\n').filter(Boolean);
  for (const file of tracked) {
    if (!existsSync(path.join(root, file))) continue;
    mkdirSync(path.dirname(path.join(pkgCopy, file)), { recursive: true });
    cpSync(path.join(root, file), path.join(pkgCopy, file));
  }
  cpSync(path.join(root, 'dist'), path.join(pkgCopy, 'dist'), { recursive: true });
  symlinkSync(path.join(root, 'node_modules'), path.join(pkgCopy, 'node_modules'));
  sh('npm', ['run', 'prebuild'], pkgCopy);
  const packed = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], pkgCopy));
  tarball = path.join(work, packed[0].filename);

  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  restrictedEnv = { ...process.env, PATH: makeBinWithoutCompilers() };
  delete restrictedEnv.npm_config_nodedir;
  sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app, restrictedEnv);
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed tarball', () => {
  it('ships the prebuild, dist, the sources for a fallback build, and no build output', () => {
    const files = sh('tar', ['-tzf', tarball], work).split('\n').filter(Boolean);
    expect(files.some((f) => f.startsWith(`package/prebuilds/${process.platform}-${process.arch}/`) && f.endsWith('.node'))).toBe(true);
    expect(files).toContain('package/prebuilds/README.md');
    expect(files).toContain('package/dist/cjs/index.js');
    expect(files).toContain('package/dist/esm/index.mjs');
    expect(files).toContain('package/binding.gyp');
    expect(files).toContain('package/native/sources.gypi');
    expect(files.some((f) => f.startsWith('package/build/') || f.endsWith('.o') || f.startsWith('package/native/test/'))).toBe(false);
  });

  it('has no compiler on the PATH used for the install', () => {
    const which = spawnSync('sh', ['-c', 'command -v g++ || command -v gcc || command -v cc || command -v make || command -v python3'], { env: restrictedEnv });
    expect(which.status).not.toBe(0);
  });

  it('loads the prebuilt binary with require()', () => {
    const installed = path.join(app, 'node_modules/quanta');
    expect(existsSync(path.join(installed, 'build'))).toBe(false);
    const out = sh(process.execPath, ['-e', "const q = require('quanta'); const r = q.quantizeLinear(new Float32Array([1.5, -2.5]), 1, new Int8Array([0])); console.log(q.isa(), Array.from(r.data).join(','))"], app, restrictedEnv);
    expect(out.trim()).toMatch(/^\w+ 2,-2$/);
  });

  it('loads with import from ESM', () => {
    const out = sh(process.execPath, ['--input-type=module', '-e', "import { capabilities, isa } from 'quanta'; console.log(isa() === capabilities().isa)"], app, restrictedEnv);
    expect(out.trim()).toBe('true');
  });

  it('runs the CLI from the installed package', () => {
    const out = sh(path.join(app, 'node_modules/.bin/quanta'), ['probe', '--json'], app, restrictedEnv);
    expect(JSON.parse(out).arch).toBe(process.arch);
  });
});
