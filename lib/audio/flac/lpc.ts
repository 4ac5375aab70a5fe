/**
 * Linear prediction for FLAC LPC subframes (RFC 9639 §9.2.6): a Tukey window, the autocorrelation
 * of the windowed block, Levinson-Durbin recursion for the predictors of every order, an estimate of
 * each order's cost, and quantization of the chosen predictor to integer coefficients with a right
 * shift. All buffers belong to the caller and are reused from block to block.
 */

/** Largest LPC order FLAC can signal (6-bit subframe type 1xxxxx). */
export const MAX_LPC_ORDER = 32;

/**
 * Fills `out[0, n)` with a Tukey window whose tapered part is `ratio` of the length (0.5: a raised
 * cosine over the first and last quarter, 1 in the middle).
 */
export function tukeyWindow(n: number, ratio: number, out: Float64Array): void {
  const taper = Math.floor((ratio * n) / 2);
  for (let i = 0; i < n; i++) out[i] = 1;
  if (taper < 1) return;
  for (let i = 0; i < taper; i++) {
    const w = 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / taper);
    out[i] = w;
    out[n - 1 - i] = w;
  }
}

/**
 * Autocorrelation lags 0…maxLag of `x[0, n)` multiplied by `window`, into `out`. `scratch` holds the
 * windowed samples (length ≥ n).
 */
export function windowedAutocorrelation(
  x: Int32Array,
  n: number,
  window: Float64Array,
  maxLag: number,
  scratch: Float64Array,
  out: Float64Array,
): void {
  for (let i = 0; i < n; i++) scratch[i] = x[i]! * window[i]!;
  if (maxLag === 8 && n > 8) {
    autocorrelation8(scratch, n, out);
    return;
  }
  // Four lags a pass: independent sums keep the multipliers busy.
  for (let lag = 0; lag <= maxLag; lag += 4) {
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    // Terms with i < lag + 3, which the lags above `lag` do not all have.
    for (let i = lag; i < lag + 3 && i < n; i++) {
      const v = scratch[i]!;
      a += v * scratch[i - lag]!;
      if (i >= lag + 1) b += v * scratch[i - lag - 1]!;
      if (i >= lag + 2) c += v * scratch[i - lag - 2]!;
    }
    for (let i = lag + 3; i < n; i++) {
      const v = scratch[i]!;
      a += v * scratch[i - lag]!;
      b += v * scratch[i - lag - 1]!;
      c += v * scratch[i - lag - 2]!;
      d += v * scratch[i - lag - 3]!;
    }
    out[lag] = a;
    if (lag + 1 <= maxLag) out[lag + 1] = b;
    if (lag + 2 <= maxLag) out[lag + 2] = c;
    if (lag + 3 <= maxLag) out[lag + 3] = d;
  }
}

/** Lags 0–8 in one pass with nine independent sums (the default order-8 analysis). */
function autocorrelation8(s: Float64Array, n: number, out: Float64Array): void {
  let r0 = 0;
  let r1 = 0;
  let r2 = 0;
  let r3 = 0;
  let r4 = 0;
  let r5 = 0;
  let r6 = 0;
  let r7 = 0;
  let r8 = 0;
  // The first eight samples lack some of the earlier neighbours.
  for (let i = 0; i < 8; i++) {
    const v = s[i]!;
    r0 += v * v;
    if (i >= 1) r1 += v * s[i - 1]!;
    if (i >= 2) r2 += v * s[i - 2]!;
    if (i >= 3) r3 += v * s[i - 3]!;
    if (i >= 4) r4 += v * s[i - 4]!;
    if (i >= 5) r5 += v * s[i - 5]!;
    if (i >= 6) r6 += v * s[i - 6]!;
    if (i >= 7) r7 += v * s[i - 7]!;
  }
  for (let i = 8; i < n; i++) {
    const v = s[i]!;
    r0 += v * v;
    r1 += v * s[i - 1]!;
    r2 += v * s[i - 2]!;
    r3 += v * s[i - 3]!;
    r4 += v * s[i - 4]!;
    r5 += v * s[i - 5]!;
    r6 += v * s[i - 6]!;
    r7 += v * s[i - 7]!;
    r8 += v * s[i - 8]!;
  }
  out[0] = r0;
  out[1] = r1;
  out[2] = r2;
  out[3] = r3;
  out[4] = r4;
  out[5] = r5;
  out[6] = r6;
  out[7] = r7;
  out[8] = r8;
}

/**
 * Levinson-Durbin recursion on autocorrelation `r[0…maxOrder]`. Writes the predictor of order m
 * (x̂[t] = Σ_{j<m} coefs[(m−1)·maxOrder + j]·x[t−1−j]) and its prediction error energy `errors[m]`.
 * Returns the highest order computed: lower than `maxOrder` when the error reaches zero (the block
 * is perfectly predictable) or the recursion turns unstable; 0 when r[0] is zero.
 */
export function levinsonDurbin(r: Float64Array, maxOrder: number, coefs: Float64Array, errors: Float64Array): number {
  let error = r[0]!;
  errors[0] = error;
  if (!(error > 0)) return 0;
  for (let m = 1; m <= maxOrder; m++) {
    const row = (m - 1) * maxOrder;
    const prev = (m - 2) * maxOrder;
    let acc = r[m]!;
    for (let j = 0; j < m - 1; j++) acc -= coefs[prev + j]! * r[m - 1 - j]!;
    const k = acc / error;
    if (!Number.isFinite(k) || Math.abs(k) >= 1) return m - 1;
    for (let j = 0; j < m - 1; j++) coefs[row + j] = coefs[prev + j]! - k * coefs[prev + m - 2 - j]!;
    coefs[row + m - 1] = k;
    error *= 1 - k * k;
    errors[m] = error;
    if (!(error > 0)) return m;
  }
  return maxOrder;
}

/**
 * The order among 1…maxOrder whose estimated size (coefficients and warm-up samples plus residual
 * bits from the error energy) is smallest. `windowEnergy` is Σw², to turn the windowed error into a
 * per-sample variance.
 */
export function bestLpcOrder(
  errors: Float64Array,
  maxOrder: number,
  n: number,
  bitsPerSample: number,
  precision: number,
  windowEnergy: number,
): number {
  let best = 1;
  let bestBits = Infinity;
  for (let m = 1; m <= maxOrder; m++) {
    const variance = errors[m]! / windowEnergy;
    // Rice-coded Laplacian residual: about log2(σ) + 1 bits a sample.
    const perSample = variance > 1 ? 0.5 * Math.log2(variance) + 1 : 1;
    const bits = m * (bitsPerSample + precision) + (n - m) * perSample;
    if (bits < bestBits) {
      bestBits = bits;
      best = m;
    }
  }
  return best;
}

/**
 * Quantizes `coefs[offset, offset + order)` to signed `precision`-bit integers in `out` with error
 * feedback (each rounding error carried into the next coefficient). Returns the right shift
 * (0–15), or −1 when the coefficients are too large for `precision` bits with a non-negative shift
 * (RFC 9639 forbids negative shifts) or are all zero.
 */
export function quantizeLpc(coefs: Float64Array, offset: number, order: number, precision: number, out: Int32Array): number {
  let cmax = 0;
  for (let j = 0; j < order; j++) cmax = Math.max(cmax, Math.abs(coefs[offset + j]!));
  if (!(cmax > 0) || !Number.isFinite(cmax)) return -1;
  // cmax < 2^exponent, so |c|·2^shift < 2^(precision−1).
  const exponent = Math.floor(Math.log2(cmax)) + 1;
  let shift = precision - 1 - exponent;
  if (shift < 0) return -1;
  if (shift > 15) shift = 15;
  const qmax = (1 << (precision - 1)) - 1;
  const qmin = -(1 << (precision - 1));
  const scale = 2 ** shift;
  let carried = 0;
  let any = false;
  for (let j = 0; j < order; j++) {
    carried += coefs[offset + j]! * scale;
    let q = Math.round(carried);
    if (q > qmax) q = qmax;
    else if (q < qmin) q = qmin;
    carried -= q;
    out[j] = q;
    if (q !== 0) any = true;
  }
  return any ? shift : -1;
}
