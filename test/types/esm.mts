// Type test of the ESM entry point: compiled with tsc (module node16), never run.
import { QuantaError, capabilities, quantizeLinear, setIsa } from 'quanta';
import type { Capabilities, IsaName, QuantizedTensor } from 'quanta';

const caps: Capabilities = capabilities();
const name: IsaName = caps.bestIsa;
setIsa(name);
const q: QuantizedTensor = quantizeLinear(new Float32Array(4), 0.5, new Int8Array([0]));
const code: string = new QuantaError('ERR_QUANTA_INVALID_ARGUMENT', 'x').code;
// @ts-expect-error: not a path name
setIsa('avx9000');
export { q, code };
