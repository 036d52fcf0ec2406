// Test signals for the audio helpers' tests: a sine tone as 16-bit PCM, and the RMS level of a stretch.

/** `length` samples of a `frequency` Hz sine at `rate` Hz, peak `amplitude` (default 10000), rounded to 16-bit PCM. */
export const sine = (frequency: number, rate: number, length: number, amplitude = 10000): Int16Array =>
  Int16Array.from({ length }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / rate)));

/** The root-mean-square level of samples `from` (included) to `to` (excluded) of `x`. */
export const rms = (x: Int16Array, from: number, to: number): number => {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i] * x[i];
  return Math.sqrt(sum / (to - from));
};
