// The native test suites: the kernel library and its GoogleTest suite built for this machine
// and run by ctest, then cross-built for aarch64 and run by ctest under qemu-aarch64, so the NEON
// and dot-product kernels really execute. Set QUANTA_SKIP_AARCH64=1 to skip the second part on a
// machine without the cross toolchain (CI installs it and never skips).
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const jobs = '2';

function run(command, args, options = {}) {
  console.log(`$ ${command} ${args.join(' ')}`);
  execFileSync(command, args, { stdio: 'inherit', cwd: root, ...options });
}

function has(program) {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

function suite(name, extraConfigure, beforeCtest = () => {}) {
  const dir = path.join(root, 'build-native', name);
  run('cmake', ['-S', root, '-B', dir, '-DQUANTA_BUILD_TESTS=ON', '-DCMAKE_BUILD_TYPE=Release', ...extraConfigure]);
  run('cmake', ['--build', dir, '-j', jobs]);
  beforeCtest(dir);
  run('ctest', ['--output-on-failure', '-j', jobs], { cwd: dir });
}

suite('host', []);

if (process.env.QUANTA_SKIP_AARCH64 === '1') {
  console.log('aarch64 tests skipped (QUANTA_SKIP_AARCH64=1)');
} else {
  for (const tool of ['aarch64-linux-gnu-g++', 'qemu-aarch64-static']) {
    if (!has(tool)) {
      console.error(`${tool} not found: install g++-aarch64-linux-gnu and qemu-user-static (Debian), or set QUANTA_SKIP_AARCH64=1`);
      process.exit(1);
    }
  }
  console.log('aarch64: cross-built, run under qemu-aarch64 -cpu max (and -cpu cortex-a53 for the dispatch test)');
  suite('aarch64', [`-DCMAKE_TOOLCHAIN_FILE=${path.join(root, 'cmake/aarch64-linux-gnu.cmake')}`], (dir) => {
    // Evidence in the log that the NEON and dot-product paths run under qemu: the sweep names them.
    run('qemu-aarch64-static', ['-cpu', 'max', path.join(dir, 'quanta_native_tests'), '--gtest_filter=QuantizeSweep.CoversEveryPathOfThisMachine']);
  });
}
