import { describe, expect, it } from "vitest";
import { formatTicks, formatValue } from "./tick-format.ts";
import { linearTicks, logTicks } from "./y-extent.ts";

/** A label back to its number: "12k" → 12000, "2.5e-4" → 0.00025. */
function parse(label: string): number {
  const m = /^(-?\d+(?:\.\d+)?)(k|M|G|T|e-?\d+)?$/.exec(label);
  if (!m) throw new Error(`"${label}" is not in the tick style`);
  const scale = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] as "k"] ?? (m[2]?.startsWith("e") ? Math.pow(10, Number(m[2].slice(1))) : 1);
  return Number(m[1]) * scale;
}

/** A trailing zero after the decimal point ("2.000", "0.50", "1.0k"), or a bare point. */
const TRAILING_ZERO = /\.\d*0(?!\d)|\.(?!\d)/;

describe("formatTicks", () => {
  it("prints round ticks without trailing zeros (not 2.000 or 800.000)", () => {
    expect(formatTicks([0, 0.5, 1, 1.5, 2])).toEqual(["0", "0.5", "1", "1.5", "2"]);
    expect(formatTicks([0, 200, 400, 600, 800])).toEqual(["0", "200", "400", "600", "800"]);
    expect(formatTicks([0.2, 0.4, 0.6, 0.8])).toEqual(["0.2", "0.4", "0.6", "0.8"]);
  });

  it("uses k / M / G with the decimals the step needs", () => {
    expect(formatTicks([0, 4000, 8000, 12000])).toEqual(["0", "4k", "8k", "12k"]);
    expect(formatTicks([0, 500, 1000, 1500])).toEqual(["0", "500", "1k", "1.5k"]);
    expect(formatTicks([0, 500_000, 1_000_000, 1_500_000])).toEqual(["0", "500k", "1M", "1.5M"]);
    expect(formatTicks([1.2e9, 1.4e9])).toEqual(["1.2G", "1.4G"]);
    expect(formatTicks([10_000, 10_100, 10_200])).toEqual(["10k", "10.1k", "10.2k"]);
  });

  it("writes an axis of small values in e-notation", () => {
    expect(formatTicks([0, 2e-4, 4e-4, 6e-4, 8e-4, 1e-3])).toEqual(["0", "2e-4", "4e-4", "6e-4", "8e-4", "1e-3"]);
    expect(formatTicks([0.0011, 0.0012, 0.0013])).toEqual(["1.1e-3", "1.2e-3", "1.3e-3"]);
    // an axis reaching 0.01 stays plain: one style per axis
    expect(formatTicks([0, 0.005, 0.01, 0.015])).toEqual(["0", "0.005", "0.01", "0.015"]);
  });

  it("gives a step of 0.25 two decimals and keeps neighbours apart", () => {
    expect(formatTicks([0, 0.25, 0.5, 0.75, 1])).toEqual(["0", "0.25", "0.5", "0.75", "1"]);
    expect(formatTicks([1.05, 1.1, 1.15])).toEqual(["1.05", "1.1", "1.15"]);
    expect(formatTicks([0.1, 0.2, 0.30000000000000004])).toEqual(["0.1", "0.2", "0.3"]);
    expect(formatTicks([-1, -0.5, 0, 0.5])).toEqual(["-1", "-0.5", "0", "0.5"]);
  });

  it("writes each power of ten on a log axis by its own magnitude", () => {
    expect(formatTicks(logTicks(1e-4, 2000))).toEqual(["1e-4", "1e-3", "0.01", "0.1", "1", "10", "100", "1k"]);
  });

  it("labels every linear axis distinctly, in the style, within half a step", () => {
    const ranges: [number, number][] = [];
    for (let e = -7; e <= 10; e++) for (const w of [1, 2.2, 3.7, 7.9]) for (const lo of [0, 0.31, -1.7, 5.4]) ranges.push([lo * 10 ** e, (lo + w) * 10 ** e]);
    for (const [lo, hi] of ranges) {
      const ticks = linearTicks(lo, hi, 4);
      const labels = formatTicks(ticks);
      const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
      expect(new Set(labels).size, `${labels} for [${lo}, ${hi}]`).toBe(ticks.length);
      labels.forEach((l, i) => {
        expect(l, `${ticks[i]} of [${lo}, ${hi}]`).not.toMatch(TRAILING_ZERO);
        expect(Math.abs(parse(l) - ticks[i]), `${l} for ${ticks[i]}`).toBeLessThanOrEqual(step / 2);
      });
    }
  });

  it("passes non-finite ticks through by name", () => {
    expect(formatTicks([NaN, 1, 2])).toEqual(["NaN", "1", "2"]);
  });
});

describe("formatValue", () => {
  it("shows more precision than ticks in the same style", () => {
    expect(formatValue(0.812345)).toBe("0.8123");
    expect(formatValue(2)).toBe("2");
    expect(formatValue(800)).toBe("800");
    expect(formatValue(12_345)).toBe("12.35k");
    expect(formatValue(1_500_000)).toBe("1.5M");
    expect(formatValue(0.00123456)).toBe("1.235e-3");
    expect(formatValue(0.001)).toBe("1e-3");
    expect(formatValue(-0.25)).toBe("-0.25");
    expect(formatValue(0.0123)).toBe("0.0123");
    expect(formatValue(3e20)).toBe("3e20");
  });

  it("moves up a suffix when rounding reaches a thousand", () => {
    expect(formatValue(999.96)).toBe("1k");
    expect(formatValue(999_960)).toBe("1M");
  });

  it("agrees with the tick labels on round values", () => {
    for (const v of [2, 800, 12_000, 0.25, 1_500_000, 0.5, 1e-3, 2.5e-4]) expect(formatValue(v)).toBe(formatTicks([v])[0]);
  });

  it("names NaN and infinities", () => {
    expect(formatValue(NaN)).toBe("NaN");
    expect(formatValue(Infinity)).toBe("Infinity");
    expect(formatValue(0)).toBe("0");
  });
});
