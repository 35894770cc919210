/** Summaries of timing samples: every figure the benchmark reports is one of these. */

export interface Summary {
  /** Number of samples (runs) behind the figure. */
  n: number;
  median: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

/** The q-quantile (0..1) of sorted values, nearest-rank (no interpolation: a real sample). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

const round = (v: number, digits: number) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

export function summarize(samples: readonly number[], digits = 2): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n ? sorted.reduce((s, v) => s + v, 0) / n : Number.NaN;
  return {
    n,
    median: round(quantile(sorted, 0.5), digits),
    p95: round(quantile(sorted, 0.95), digits),
    p99: round(quantile(sorted, 0.99), digits),
    min: round(sorted[0] ?? Number.NaN, digits),
    max: round(sorted[n - 1] ?? Number.NaN, digits),
    mean: round(mean, digits),
  };
}

/** a / b, rounded; null when either side is missing. */
export function ratio(a: number | undefined, b: number | undefined, digits = 2): number | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return round(a / b, digits);
}

/** Milliseconds since `start` (a performance.now() reading). */
export function since(start: number): number {
  return performance.now() - start;
}
