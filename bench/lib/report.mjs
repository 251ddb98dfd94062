// Turns a suite's raw timings and the stream limits into the derived columns and a Markdown page.
const GB = 1e9;

const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toPrecision(3));
const fmt1 = (v) => (v === undefined || v === null ? '—' : v.toFixed(1));
const pct = (v) => (v === undefined || v === null ? '—' : `${(100 * v).toFixed(0)}%`);
const times = (v) => (v === undefined || v === null ? '—' : `${v.toFixed(2)}×`);

/** Traffic of each op family and the stream kernel with the same traffic. */
// Histograms and min/max only read their input: their limit is the read bandwidth.
const SHAPE = { quantize: 'narrow', dequantize: 'widen', histogram: 'read', range: 'read' };

/**
 * limits: { 1: streamJson, 2: streamJson } at the tensor's size (best-of-N GB/s per kernel).
 * Adds gbps, % of copy, % of the shape-matched stream and the ratio to the peer.
 */
export function derive(suite, limits) {
  const rows = suite.results.map((r) => {
    const bytes = r.read + r.written;
    const row = { ...r, bytes, gbpsMedian: bytes / (r.medianMs * 1e-3) / GB, gbpsBest: bytes / (r.minMs * 1e-3) / GB };
    const limit = limits[r.threads]?.results;
    if (limit && SHAPE[r.op]) {
      row.ofCopy = row.gbpsMedian / limit.copy.gbps;
      row.ofShape = row.gbpsMedian / limit[SHAPE[r.op]].gbps;
    }
    return row;
  });
  for (const row of rows) {
    const peer = rows.find((p) => p.peer && p.op === row.op && p.threads === row.threads);
    if (peer && SHAPE[row.op]) {
      row.vsPeerMedian = peer.medianMs / row.medianMs;
      row.vsPeerMin = peer.minMs / row.minMs;
    }
  }
  return rows;
}

function limitTable(streams) {
  const kernels = ['read', 'write', 'copy', 'copy_nt', 'narrow', 'widen'];
  const lines = [
    `| stream run | ${kernels.join(' | ')} |`,
    `|---|${kernels.map(() => '---:').join('|')}|`,
  ];
  for (const s of streams) {
    const cells = kernels.map((k) => `${s.results[k].gbps.toFixed(1)} (${s.results[k].median_gbps.toFixed(1)})`);
    lines.push(`| ${s.label}: ${s.threads} thread${s.threads > 1 ? 's' : ''}, ${s.mib} MiB buffers | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function resultTable(rows) {
  const lines = [
    '| case | threads | median ms | min ms | GB/s (median) | GB/s (min) | % of copy | % of shape-matched stream | × ORT (median) | × ORT (min) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${r.threads} | ${fmtMs(r.medianMs)} | ${fmtMs(r.minMs)} | ${fmt1(r.gbpsMedian)} | ${fmt1(r.gbpsBest)} | ${pct(r.ofCopy)} | ${pct(r.ofShape)} | ${times(r.vsPeerMedian)} | ${times(r.vsPeerMin)} |`,
    );
  }
  return lines.join('\n');
}

const LABEL = {
  fresh: 'public API, fresh output (event-loop turn between calls)',
  'fresh-sync': 'public API, fresh output (back-to-back sync loop)',
  out: 'public API with out (reused buffer)',
  reused: 'kernel with a reused output [addon]',
};

function targets(rows) {
  const find = (op, impl, output) => rows.find((r) => r.op === op && r.impl === impl && r.output === output && r.threads === 1);
  const out = [];
  for (const [op, want] of [['quantize', 2], ['dequantize', 3]]) {
    for (const output of ['fresh', 'fresh-sync', 'out', 'reused']) {
      const r = find(op, 'quanta', output);
      if (!r) continue;
      const bw = r.ofCopy >= 0.8 ? 'meets' : 'misses';
      const peer = r.vsPeerMedian >= want ? 'meets' : 'misses';
      out.push(
        `- ${op}, 1 thread, ${LABEL[output]}: ` +
          `${r.gbpsMedian.toFixed(1)} GB/s = ${pct(r.ofCopy)} of copy (target >= 80%: ${bw}); ` +
          `${times(r.vsPeerMedian)} ORT by median, ${times(r.vsPeerMin)} by min (target >= ${want}×: ${peer} by median)`,
      );
    }
  }
  return out.join('\n');
}

/** The histogram suite's page: each case's GB/s beside the read bandwidth of the same run. */
function histogramMarkdown({ date, machine, load, stream, streams, suite, rows }) {
  const m = machine;
  const t = suite.tensor;
  const read = (threads) => streams.filter((s) => s.threads === threads && s.mib === streams[0].mib)
    .reduce((best, s) => Math.max(best, s.results.read.gbps), 0);
  const lines = [
    '| case | threads | median ms | min ms | GB/s (median) | GB/s (min) | stream read GB/s (same threads) | % of read |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const limit = r.impl === 'quanta' ? read(r.threads) : 0;
    lines.push(`| ${r.name} | ${r.threads} | ${fmtMs(r.medianMs)} | ${fmtMs(r.minMs)} | ${fmt1(r.gbpsMedian)} | ${fmt1(r.gbpsBest)} | ${limit ? limit.toFixed(1) : '—'} | ${limit ? pct(r.gbpsMedian / limit) : '—'} |`);
  }
  const h = (threads) => rows.find((r) => r.op === 'histogram' && r.impl === 'quanta' && r.output === 'reused' && r.threads === threads);
  const [h1, h2] = [h(1), h(2)];
  const target = h1 && h2
    ? `- histogram of ${t.elements} float32 values, ${t.bins} bins: ${fmt1(h1.gbpsMedian)} GB/s on 1 thread (target >= 5: ${h1.gbpsMedian >= 5 ? 'meets' : 'misses'}); ` +
      `${fmt1(h2.gbpsMedian)} GB/s on 2 threads = ${times(h2.gbpsMedian / h1.gbpsMedian)} (target close to 2×)`
    : '- (histogram cases missing)';
  return `# histogram: ${date}

Machine: ${m.cpuModel}, ${m.logicalCores} logical cores, kernels on \`${m.isa}\` (${Object.entries(m.kernels).map(([k, v]) => `${k}: ${v}`).join(', ')});
${m.os}; transparent huge pages: ${m.thp}. Node ${m.node}.
Load average (1/5/15 min): before ${load.before.map((v) => v.toFixed(2)).join(' / ')}, after ${load.after.map((v) => v.toFixed(2)).join(' / ')}.
Stream built with \`${stream.compiler}\`, \`${stream.flags}\`.

Input: ${t.elements} float32 values (${(t.float32Bytes / 1e6).toFixed(0)} MB, generated once and reused), ${t.bins} bins over [${t.lo}, ${t.hi}], ${t.distribution}.
Each case: ${rows[0].runs} timed runs after warm-up, in one process per suite. GB/s = bytes read / time.

## The machine's limit (same run; GB/s best of N, median in parentheses)

${limitTable(streams)}

## Results

${lines.join('\n')}

"% of read" compares the median GB/s with the best stream \`read\` GB/s at the same thread count (the
${streams[0].mib} MiB runs before and after the suite).

## Target (issue 4)

${target}

## Agreement (checked before timing)

${Object.entries(suite.agreement).map(([k, v]) => `- ${k}: ${v}`).join('\n')}
`;
}

export function markdown(page) {
  if (page.suite.suite === 'histogram') return histogramMarkdown(page);
  const { date, machine, load, stream, streams, suite, rows } = page;
  const m = machine;
  return `# quantize-linear: ${date}

Machine: ${m.cpuModel}, ${m.logicalCores} logical cores, kernels on \`${m.isa}\` (${Object.entries(m.kernels).map(([k, v]) => `${k}: ${v}`).join(', ')});
${m.os}; transparent huge pages: ${m.thp}. Node ${m.node}, onnxruntime-node ${m.onnxruntimeNode}.
Load average (1/5/15 min): before ${load.before.map((v) => v.toFixed(2)).join(' / ')}, after ${load.after.map((v) => v.toFixed(2)).join(' / ')}.
Stream built with \`${stream.compiler}\`, \`${stream.flags}\`.

Tensor: ${suite.tensor.elements} float32 elements (${suite.tensor.float32Bytes / 2 ** 20} MiB) <-> ${suite.tensor.dtype} (${suite.tensor.int8Bytes / 2 ** 20} MiB), ${suite.tensor.granularity}, scale ${suite.tensor.scale.toPrecision(6)}, zero point ${suite.tensor.zeroPoint}.
Each case: ${suite.results[0].runs} timed runs after warm-up, in one process per suite. GB/s = (bytes read + bytes written) / time.

## The machine's limit (same run; GB/s best of N, median in parentheses)

${limitTable(streams)}

## Results

${resultTable(rows)}

"% of copy" compares the median GB/s with the best copy GB/s of the same thread count; the shape-matched
stream is \`narrow\` (read 4 B, write 1 B) for quantize and \`widen\` (read 1 B, write 4 B) for dequantize.
"× ORT" is ORT "as used" (fresh output, same thread count) time divided by the case's time.

## Targets (issue 3)

${targets(rows)}

## Agreement (checked before timing)

${Object.entries(suite.agreement).map(([k, v]) => `- ${k}: ${v}`).join('\n')}
`;
}
