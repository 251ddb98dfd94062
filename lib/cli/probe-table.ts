/** The probe as a readable table. */
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
