// Type test of the CommonJS entry point: compiled with tsc (module node16), never run.
import quanta = require('quanta');

const caps: quanta.Capabilities = quanta.capabilities();
const name: quanta.IsaName = caps.isa;
quanta.setIsa(name);
const q: quanta.QuantizedTensor = quanta.quantizeLinear(new Float32Array(4), 0.5, new Uint8Array([3]));
// @ts-expect-error: the scale must not be a string
quanta.quantizeLinear(new Float32Array(4), 'big');
export = q;
