/** Calibration: streaming, mergeable observers and the calibrate() driver. */
export type { CalibrationScheme, Observer, ObserverParams, ObservedRange, ObserverJSON } from './types';
export { MinMaxObserver, MovingAverageMinMaxObserver, PerChannelMinMaxObserver, MovingAveragePerChannelMinMaxObserver } from './minmax';
export type { MinMaxOptions, PerChannelOptions, MovingAverageOptions } from './minmax';
export type { HistogramObserverOptions } from './histogram-observer';
export type { HistogramGrid } from './grid';
export { PercentileObserver } from './percentile';
export type { PercentileOptions } from './percentile';
export { EntropyObserver } from './entropy';
export type { EntropyOptions } from './entropy';
export { MseObserver } from './mse';
export type { MseOptions } from './mse';
export { observerFromJSON } from './from-json';
export { calibrate } from './calibrate';
export type { CalibrateOptions } from './calibrate';
export * from './clip';
