// Compiles lib/ to CommonJS in dist/cjs and writes the thin ESM entry in dist/esm, which
// re-exports the CommonJS build so both entry points share one native binding and one state.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
writeFileSync(path.join(root, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n');
mkdirSync(path.join(root, 'dist/esm'), { recursive: true });
writeFileSync(path.join(root, 'dist/esm/index.mjs'), "export * from '../cjs/index.js';\n");
writeFileSync(path.join(root, 'dist/esm/index.d.mts'), "export * from '../cjs/index.js';\n");
chmodSync(path.join(root, 'dist/cjs/cli/main.js'), 0o755);
