// Metric values on the wire. JSON numbers cannot be NaN or infinite, yet a diverged run's loss is exactly
// that and must be seen, so a metrics event sends a non-finite value as its name. The trainer writes these
// names (packages/trainer/trainyard_trainer/events.py); the daemon reads them back into numbers.

export const NONFINITE_NAMES = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, "-Infinity": Number.NEGATIVE_INFINITY } as const;
export type NonFiniteName = keyof typeof NONFINITE_NAMES;

/** A metric value as sent (a number, or "NaN" / "Infinity" / "-Infinity"); undefined for anything else. */
export function decodeMetricValue(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && Object.hasOwn(NONFINITE_NAMES, v)) return NONFINITE_NAMES[v as NonFiniteName];
  return undefined;
}

/** The wire form of a value: finite numbers as they are, the rest by name. */
export function encodeMetricValue(v: number): number | NonFiniteName {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
}
