/** Rebuilds any observer from its toJSON() state, by its `kind`. */
import { invalid } from '../errors';
import { EntropyObserver } from './entropy';
import { MinMaxObserver, MovingAverageMinMaxObserver, MovingAveragePerChannelMinMaxObserver, PerChannelMinMaxObserver } from './minmax';
import { MseObserver } from './mse';
import { PercentileObserver } from './percentile';
import type { Observer } from './types';

const KINDS: Record<string, (json: unknown) => Observer> = {
  MinMaxObserver: (j) => MinMaxObserver.fromJSON(j),
  MovingAverageMinMaxObserver: (j) => MovingAverageMinMaxObserver.fromJSON(j),
  PerChannelMinMaxObserver: (j) => PerChannelMinMaxObserver.fromJSON(j),
  MovingAveragePerChannelMinMaxObserver: (j) => MovingAveragePerChannelMinMaxObserver.fromJSON(j),
  PercentileObserver: (j) => PercentileObserver.fromJSON(j),
  EntropyObserver: (j) => EntropyObserver.fromJSON(j),
  MseObserver: (j) => MseObserver.fromJSON(j),
};

export function observerFromJSON(json: unknown): Observer {
  const kind = (json as { kind?: unknown })?.kind;
  const make = typeof kind === 'string' ? KINDS[kind] : undefined;
  if (make === undefined) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'json.kind', `one of ${Object.keys(KINDS).join(', ')}`, kind);
  return make(typeof json === 'string' ? JSON.parse(json) : json);
}
