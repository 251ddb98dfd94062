/** The probe as a readable table. */
import { measureReadBandwidth } from '../bandwidth';
import type { ReadBandwidth } from '../bandwidth';
import type { Capabilities } from '../probe';

export function formatCapabilities(c: Capabilities): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const rows: [string, string][] = [
    ['platform', `${c.platform}-${c.arch}`],
    ['cpu', c.cpuModel],
    ['logical cores', String(c.logicalCores)],
    ['kernel threads', String(c.threads)],
    ...Object.entries(c.features).map(([k, v]): [string, string] => [k, yes(v)]),
    ['active isa', c.isa],
    ['best isa', c.bestIsa],
    ...Object.entries(c.kernels).map(([family, isa]): [string, string] => [`kernel: ${family}`, isa]),
    ...Object.entries(c.unavailable)
      .filter(([, why]) => why !== null)
      .map(([isa, why]): [string, string] => [`unavailable: ${isa}`, why!]),
    ['cuda', c.cuda.available ? c.cuda.devices.map((d) => `${d.name} (sm ${d.computeCapability})`).join(', ') : `no (${c.cuda.reason})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

/** Buffer sizes that land in L1, L2, L3 and memory on common server and desktop CPUs. */
const BANDWIDTH_SIZES = [16 * 1024, 512 * 1024, 8 * 2 ** 20, 256 * 2 ** 20];

export function probeBandwidth(): ReadBandwidth[] {
  return BANDWIDTH_SIZES.map((bytes) => measureReadBandwidth(bytes, { runs: bytes > 2 ** 24 ? 5 : 20 }));
}

export function formatBandwidth(rows: ReadBandwidth[]): string {
  const size = (bytes: number) => (bytes >= 2 ** 20 ? `${bytes / 2 ** 20} MiB` : `${bytes / 1024} KiB`);
  return [
    'read bandwidth, one thread (best / median GB/s)',
    ...rows.map((r) => `  ${size(r.bytes).padEnd(8)}  ${r.bestGBps.toFixed(1)} / ${r.medianGBps.toFixed(1)}`),
  ].join('\n');
}
