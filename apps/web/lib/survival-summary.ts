// The follow-up part of a risk dataset's import report as the dataset page shows it: the facts (cases,
// events, censoring, follow-up quantiles), one row per follow-up year (cases, events, censored, each
// bar's height against the tallest), and the views (cases by how many they have, each view's images and
// the cases lacking it). Rates and years go through tick-format; counts print whole. Pure.
import { formatValue } from "./tick-format.ts";
import type { RouterOutputs } from "./trpc.ts";

/**
 * The import report's `survival` (packages/data survival-targets.ts SurvivalReport, through the datasets API),
 * as far as the page reads it; reports written before cases without images were counted lack that count.
 */
export type SurvivalSummary = Omit<Survival, "columns" | "casesWithoutImages"> & { casesWithoutImages?: number };
type Survival = NonNullable<RouterOutputs["datasets"]["get"]["report"]["survival"]>;

/** The lower bound of a bin "3-4" (NaN for a name that is not one). */
function binStart(bin: string): number {
  const m = /^(-?\d+(?:\.\d+)?)\s*-/.exec(bin);
  return m ? Number(m[1]) : Number.NaN;
}

export interface YearRow {
  bin: string;
  /** "3–4 y" */
  label: string;
  cases: number;
  events: number;
  censored: number;
  /** The bar's height: cases in the bin against the fullest bin, in [0, 1]. */
  height: number;
  /** The events' share of the bar, in [0, 1]. */
  eventShare: number;
}

/** One row per follow-up year, in year order (bins named by any of the three counts). */
export function followupYears(s: Pick<SurvivalSummary, "followupHistogram" | "eventsPerYear" | "censoredPerYear">): YearRow[] {
  const bins = [...new Set([...Object.keys(s.followupHistogram), ...Object.keys(s.eventsPerYear), ...Object.keys(s.censoredPerYear)])];
  bins.sort((a, b) => binStart(a) - binStart(b) || a.localeCompare(b));
  const rows = bins.map((bin) => {
    const events = s.eventsPerYear[bin] ?? 0;
    const censored = s.censoredPerYear[bin] ?? 0;
    const cases = s.followupHistogram[bin] ?? events + censored;
    return { bin, label: `${bin.replace("-", "–")} y`, cases, events, censored, height: 0, eventShare: cases > 0 ? Math.min(1, events / cases) : 0 };
  });
  const most = Math.max(0, ...rows.map((r) => r.cases));
  for (const r of rows) r.height = most > 0 ? r.cases / most : 0;
  return rows;
}

/** A rate as a percentage: 0.237 → "23.7%". */
export function formatRate(rate: number): string {
  return Number.isFinite(rate) ? `${formatValue(100 * rate, 3)}%` : "—";
}

/** Years of follow-up: 2.5 → "2.5 y". */
export function formatYears(years: number): string {
  return `${formatValue(years, 3)} y`;
}

export interface Fact {
  label: string;
  value: string;
  testId?: string;
}

/** The headline facts: cases, events and censoring with their rates, the follow-up's spread, missing views. */
export function survivalFacts(s: SurvivalSummary): Fact[] {
  const f = s.followup;
  const censoringRate = s.cases > 0 ? s.censored / s.cases : Number.NaN;
  return [
    { label: "cases", value: String(s.cases), testId: "survival-cases" },
    { label: "events", value: `${s.events} (${formatRate(s.eventRate)})`, testId: "survival-events" },
    { label: "censored", value: `${s.censored} (${formatRate(censoringRate)})`, testId: "survival-censored" },
    { label: "follow-up median", value: formatYears(f.median), testId: "survival-median" },
    { label: "follow-up p25–p75", value: `${formatValue(f.p25, 3)}–${formatYears(f.p75)}` },
    { label: "follow-up p10–p90", value: `${formatValue(f.p10, 3)}–${formatYears(f.p90)}` },
    { label: "follow-up range", value: `${formatValue(f.min, 3)}–${formatYears(f.max)}` },
    { label: "follow-up mean", value: formatYears(f.mean) },
    { label: "cases missing a view", value: String(s.casesMissingView), testId: "survival-missing-view" },
    ...(s.casesWithoutImages ? [{ label: "cases without a usable image", value: String(s.casesWithoutImages) }] : []),
  ];
}

export interface ViewRow {
  view: string;
  images: number;
  /** Cases that lack this view. */
  missing: number;
}

/** Each view: its usable images and the cases lacking it, in the dataset's view order. */
export function viewRows(s: Pick<SurvivalSummary, "viewCounts" | "missingByView">): ViewRow[] {
  const views = [...new Set([...Object.keys(s.viewCounts), ...Object.keys(s.missingByView)])];
  return views.map((view) => ({ view, images: s.viewCounts[view] ?? 0, missing: s.missingByView[view] ?? 0 }));
}

/** Cases by their number of views, fewest first: [["1", 12], ["4", 188]]. */
export function viewsPerCaseRows(s: Pick<SurvivalSummary, "viewsPerCase">): [string, number][] {
  return Object.entries(s.viewsPerCase).sort((a, b) => Number(a[0]) - Number(b[0]));
}
