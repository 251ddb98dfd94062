// `npm test`: the main build (cmake-js), the TypeScript build, the TypeScript tests (vitest, which
// also check packaging, types and the built objects), and the native tests on x86-64 and, under
// qemu, aarch64. Stops at the first failing step.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const steps = [
  ['native addon (cmake-js)', [npm, 'run', 'build']],
  ['TypeScript build', [npm, 'run', 'build:ts']],
  ['TypeScript tests (vitest)', [npm, 'run', 'test:ts']],
  ['native tests (ctest: host and aarch64 under qemu)', [npm, 'run', 'test:native']],
];

for (const [name, [command, ...args]] of steps) {
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    console.error(`\n${name} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}
console.log('\nall test steps passed');
