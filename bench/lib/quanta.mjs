// quanta as this repository builds it (dist/cjs), never a copy from npm: the bench measures the tree.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const dist = fileURLToPath(new URL('../../dist/cjs/', import.meta.url));

if (!existsSync(`${dist}index.js`)) {
  throw new Error(`bench: ${dist}index.js is missing; build it with \`node scripts/build-ts.mjs\` in the repository root`);
}

export const quanta = require(`${dist}index.js`);
/** The raw addon (lib/native.ts): the only way to hand quanta a reused output buffer today. */
export const addon = require(`${dist}native.js`).addon();
