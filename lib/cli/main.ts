#!/usr/bin/env node
/** The `quanta` command line. */
import { Command } from 'commander';

import { QuantaError } from '../errors';
import { capabilities } from '../probe';
import { formatDemo, runDemo } from './demo';
import { formatBandwidth, formatCapabilities, probeBandwidth } from './probe-table';

function capabilitiesJson(): object {
  const c = capabilities();
  return { ...c, cuda: c.cuda };
}

const program = new Command();
program.name('quanta').description('Neural-network quantization for Node.js');

program
  .command('probe')
  .description('print what this machine can run and which kernels are in use')
  .option('--json', 'print JSON instead of a table')
  .option('--bandwidth', 'also measure the read bandwidth of buffers from 16 KiB to 256 MiB (about a second)')
  .action((options: { json?: boolean; bandwidth?: boolean }) => {
    const bandwidth = options.bandwidth ? probeBandwidth() : undefined;
    if (options.json) {
      console.log(JSON.stringify({ ...capabilitiesJson(), ...(bandwidth ? { readBandwidth: bandwidth } : {}) }, null, 2));
    } else {
      console.log(formatCapabilities(capabilities()));
      if (bandwidth) console.log(`\n${formatBandwidth(bandwidth)}`);
    }
  });

program
  .command('demo')
  .description('probe, then quantize and dequantize the embedded default tensor and report error and speed')
  .option('--json', 'print JSON')
  .action((options: { json?: boolean }) => {
    const result = runDemo();
    if (options.json) {
      console.log(JSON.stringify({ capabilities: capabilitiesJson(), demo: result }, null, 2));
    } else {
      console.log(formatCapabilities(capabilities()));
      console.log('');
      console.log(formatDemo(result));
    }
  });

try {
  program.parse();
} catch (error) {
  if (error instanceof QuantaError) {
    console.error(`quanta: ${error.message} (${error.code})`);
    process.exit(1);
  }
  throw error;
}
