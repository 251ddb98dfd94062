// The package manifest: publint's checks of the exports map and files, and a compile of a
// type test against each entry point (ESM and CommonJS) through the package's own name.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { publint } from 'publint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

describe('package manifest', () => {
  it('passes publint with no errors or warnings', async () => {
    const { messages } = await publint({ pkgDir: root, level: 'warning' });
    expect(messages.map((m) => `${m.type} ${m.code} ${JSON.stringify(m.args)}`)).toEqual([]);
  });

  it('type-checks imports of both entry points', () => {
    const tsc = require.resolve('typescript/bin/tsc');
    const run = () => execFileSync(process.execPath, [tsc, '-p', path.join(root, 'test/types/tsconfig.json')], { cwd: root, encoding: 'utf8' });
    expect(run).not.toThrow();
  });
});
