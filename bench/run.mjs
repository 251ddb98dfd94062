#!/usr/bin/env node
// Runs every bench suite, each in a fresh process, beside the machine's limit measured in the same
// run, and writes bench/results/<date>-<suite>.json and .md.
//
//   node bench/run.mjs [--suite quantize-linear] [--max-load 1.2] [--wait-load 300]
//
// The suites share the machine with whatever else runs: the runner waits (up to --wait-load
// seconds) for the 1-minute load average to drop below --max-load, and records it either way.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { markdown, derive } from './lib/report.mjs';
import { buildStream, runStream } from './lib/stream.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const SUITES = ['quantize-linear', 'histogram'];
const TENSOR_MIB = 64;

const { values: args } = parseArgs({
  options: {
    suite: { type: 'string', multiple: true },
    'max-load': { type: 'string', default: '1.2' },
    'wait-load': { type: 'string', default: '300' },
  },
});

if (!existsSync(`${here}node_modules/onnxruntime-node`) || !existsSync(`${here}node_modules/tinybench`)) {
  console.error('bench: dependencies missing; run `cd bench && ONNXRUNTIME_NODE_INSTALL=skip npm install`');
  process.exit(1);
}

async function waitForLoad(max, seconds) {
  const until = Date.now() + seconds * 1000;
  let warned = false;
  while (os.loadavg()[0] >= max && Date.now() < until) {
    if (!warned) console.error(`bench: load average ${os.loadavg()[0].toFixed(2)} >= ${max}; waiting up to ${seconds} s`);
    warned = true;
    await new Promise((r) => setTimeout(r, 5000));
  }
  if (os.loadavg()[0] >= max) console.error(`bench: load is still ${os.loadavg()[0].toFixed(2)}; measuring anyway (recorded)`);
}

function thp() {
  try {
    return readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').trim();
  } catch {
    return 'n/a';
  }
}

const { quanta } = await import('./lib/quanta.mjs');
const stream = buildStream(quanta.capabilities().features);
const date = new Date().toISOString().slice(0, 10);
mkdirSync(`${here}results`, { recursive: true });

for (const name of args.suite ?? SUITES) {
  if (!SUITES.includes(name)) throw new Error(`bench: unknown suite "${name}"; known: ${SUITES.join(', ')}`);
  await waitForLoad(Number(args['max-load']), Number(args['wait-load']));
  const load = { before: os.loadavg() };
  console.error(`bench: ${name}: measuring the limit (stream)`);
  const before = [1, 2].map((threads) => ({ label: 'before', ...runStream(stream.binary, { mib: TENSOR_MIB, threads }) }));
  const dram = { label: 'DRAM reference', ...runStream(stream.binary, { mib: 256, reps: 8, threads: 1 }) };

  console.error(`bench: ${name}: running the suite in a fresh process`);
  const raw = `${here}.build/${name}.raw.json`;
  const child = spawnSync(process.execPath, [`${here}suites/${name}.mjs`, raw], { stdio: 'inherit' });
  if (child.status !== 0) throw new Error(`bench: suite ${name} failed (exit ${child.status ?? child.signal})`);
  const suite = JSON.parse(readFileSync(raw, 'utf8'));

  const after = [1, 2].map((threads) => ({ label: 'after', ...runStream(stream.binary, { mib: TENSOR_MIB, threads }) }));
  load.after = os.loadavg();

  // The limit is the better of the runs before and after the suite (the higher bar).
  const limits = {};
  for (const t of [1, 2]) {
    const [b, a] = [before[t - 1], after[t - 1]];
    const results = {};
    for (const k of Object.keys(b.results)) results[k] = b.results[k].gbps >= a.results[k].gbps ? b.results[k] : a.results[k];
    limits[t] = { ...b, label: 'limit', results };
  }
  const rows = derive(suite, limits);
  const machine = { ...suite.machine, thp: thp() };
  const streams = [...before, ...after, dram];
  // Results name the stream program relative to bench/, not by this machine's absolute path.
const streamInfo = { ...stream, binary: path.relative(here, stream.binary) };
const md = markdown({ date, machine, load, stream: streamInfo, streams, suite, rows });
  const base = `${here}results/${date}-${name}`;
  writeFileSync(`${base}.json`, `${JSON.stringify({ date, machine, load, stream: streamInfo, streams, limits, suite: { ...suite, results: rows } }, null, 1)}\n`);
  writeFileSync(`${base}.md`, md);
  console.log(md);
  console.error(`bench: wrote ${base}.json and ${base}.md`);
}
