// Follow-up targets for risk prediction (training.task risk): per exam (case) a follow-up time in years
// and an event flag (1 diagnosis, 0 censored), and per image the view it is (L-CC, R-MLO, ...). Parsed
// from manifest columns, checked (every bad value refused by line, column and value, importing nothing),
// stored on the table as DatasetSurvival, and summarised for the import report.
//
// The follow-up is a number of years (--time-col C) or the days between two date columns divided by
// 365.25 (--time-col START,END). The rows of a case are its views and must agree on time and event.
import type { DatasetSurvival } from "./dataset-table.ts";
import { ManifestError, type ManifestColumns } from "./manifest-read.ts";

export interface SurvivalOptions {
  /** Follow-up in years, or "START,END": two date columns. */
  timeCol?: string;
  /** 1 event, 0 censored (also true/false, yes/no). */
  eventCol?: string;
  /** The view of each image (L-CC, L-MLO, R-CC, R-MLO, ...); needs caseCol. */
  viewCol?: string;
  caseCol?: string;
  /**
   * The true log-hazard per case id, where the dataset knows it (the synthetic demo). Never a manifest
   * column: a model must not read it as metadata.
   */
  survivalOracle?: Readonly<Record<string, number>>;
}

export interface SurvivalColumns {
  /** One column of years, or [start, end] date columns. */
  time: [string] | [string, string];
  event: string;
  view: string | null;
  case: string | null;
}

/** The view slot of a dataset imported without a view column. */
export const SINGLE_VIEW = "image";

/** Quantiles of the follow-up, in years. */
export interface FollowupStats {
  min: number;
  max: number;
  mean: number;
  median: number;
  p10: number;
  p25: number;
  p75: number;
  p90: number;
}

export interface SurvivalReport {
  columns: { time: string[]; event: string; view: string | null; case: string | null };
  /** Cases with at least one usable image (the counts below are over these). */
  cases: number;
  /** Cases none of whose images is usable (missing or unreadable): never part of a run. */
  casesWithoutImages: number;
  events: number;
  censored: number;
  eventRate: number;
  followup: FollowupStats;
  /** Cases by follow-up, one-year bins "0-1", "1-2", ... (a time of exactly k years falls in "k-(k+1)"). */
  followupHistogram: Record<string, number>;
  /** Events by the year they happened in (same bins). */
  eventsPerYear: Record<string, number>;
  /** Censored cases by the year follow-up ended in (same bins). */
  censoredPerYear: Record<string, number>;
  /** Cases by how many of the dataset's views they have ("1", "2", ...). */
  viewsPerCase: Record<string, number>;
  /** Usable images per view. */
  viewCounts: Record<string, number>;
  /** Cases lacking at least one of the dataset's views. */
  casesMissingView: number;
  /** Cases lacking each view. */
  missingByView: Record<string, number>;
}

const MS_PER_DAY = 86_400_000;
export const DAYS_PER_YEAR = 365.25;

/** Option pairs that make no sense alone, refused before any file is read. */
export function checkSurvivalOptions(opts: SurvivalOptions): void {
  if (opts.timeCol && !opts.eventCol)
    throw new ManifestError(`--time-col ${opts.timeCol} needs --event-col C too: the column saying whether the follow-up ended in a diagnosis (1) or was censored (0)`);
  if (opts.eventCol && !opts.timeCol)
    throw new ManifestError(`--event-col ${opts.eventCol} needs --time-col C too: the follow-up in years (or --time-col START,END: two date columns)`);
  if (opts.viewCol && !opts.timeCol)
    throw new ManifestError(`--view-col ${opts.viewCol} only applies to follow-up targets: add --time-col C --event-col C (and --case-col C)`);
  if (opts.viewCol && !opts.caseCol)
    throw new ManifestError(`--view-col ${opts.viewCol} needs --case-col C: the column naming the exam each view belongs to (its views are one sample)`);
  if (opts.timeCol) {
    const parts = splitTimeCol(opts.timeCol);
    if (parts.length > 2 || parts.some((p) => !p))
      throw new ManifestError(`--time-col takes one column of years, or two date columns START,END (got "${opts.timeCol}")`);
  }
}

const splitTimeCol = (t: string) => t.split(",").map((p) => p.trim());

/** The survival columns named by the options, checked against the header; null without --time-col. */
export function chooseSurvivalColumns(header: readonly string[], opts: SurvivalOptions): SurvivalColumns | null {
  checkSurvivalOptions(opts);
  if (!opts.timeCol) return null;
  const has = (c: string, flag: string, what: string) => {
    if (!header.includes(c)) throw new ManifestError(`${what} column "${c}" (${flag}) is not in the manifest; columns: ${header.join(", ")}`);
    return c;
  };
  // a column whose own name has a comma is one column, not two
  const time: [string] | [string, string] = header.includes(opts.timeCol)
    ? [opts.timeCol]
    : (splitTimeCol(opts.timeCol).map((c, i, all) => has(c, "--time-col", all.length === 2 ? (i ? "follow-up end date" : "follow-up start date") : "follow-up")) as [string] | [string, string]);
  const event = has(opts.eventCol!, "--event-col", "event");
  const view = opts.viewCol ? has(opts.viewCol, "--view-col", "view") : null;
  const kase = opts.caseCol ? has(opts.caseCol, "--case-col", "case") : null;
  const used = [...time, event, view, kase].filter((c): c is string => c !== null);
  const dup = used.find((c, i) => used.indexOf(c) !== i);
  if (dup) throw new ManifestError(`column "${dup}" is given for two of --time-col, --event-col, --view-col, --case-col; each needs its own column`);
  return { time, event, view, case: kase };
}

/** 1, 0 or null (not an event value). Accepts 1/0 (also 1.0), true/false, yes/no, y/n, in any case. */
export function parseEvent(cell: string | null): 0 | 1 | null {
  if (cell === null) return null;
  const s = cell.trim().toLowerCase();
  if (s === "1" || s === "true" || s === "yes" || s === "y") return 1;
  if (s === "0" || s === "false" || s === "no" || s === "n") return 0;
  if (/^[+]?\d+(\.\d*)?$/.test(s)) {
    const v = Number(s);
    if (v === 0 || v === 1) return v;
  }
  return null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO date (YYYY-MM-DD, optionally with a time) as days since 1970-01-01 UTC; null when it is not one. */
export function parseDateDays(cell: string): number | null {
  const m = DATE.exec(cell.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = Date.UTC(y, mo - 1, d);
  const check = new Date(day);
  // 2021-02-30 is not a date (Date.UTC would roll it into March)
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  if (!m[4]) return day / MS_PER_DAY;
  const full = Date.parse(m[8] ? cell.trim().replace(" ", "T") : `${cell.trim().replace(" ", "T")}Z`);
  return Number.isFinite(full) ? full / MS_PER_DAY : null;
}

/** A follow-up in years from a cell; what is wrong otherwise. */
function parseYears(cell: string | null): number | { problem: string } {
  if (cell === null) return { problem: "missing" };
  const s = cell.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(s)) return { problem: "not-a-number" };
  return Number(s);
}

interface Issue {
  r: number;
  message: string;
}

const MAX_LISTED = 5;

/**
 * The survival targets of a table's rows. `rowOf[r]` is the table row of manifest row r (several manifest
 * rows may merge into one image); `caseCells[r]` the case column's cell, or null without one.
 */
export function buildSurvival(
  m: ManifestColumns,
  cols: SurvivalColumns,
  table: { imageIds: readonly string[]; imagePaths: readonly string[]; groups: readonly string[] },
  rowOf: Int32Array,
  oracle?: Readonly<Record<string, number>> | null,
): DatasetSurvival {
  const col = (name: string) => m.columns[m.header.indexOf(name)];
  const where = (r: number) => (m.format === "csv" ? `manifest line ${r + 2}` : `manifest row ${r + 1}`);
  const n = table.imageIds.length;
  const timeCells = cols.time.map(col);
  const eventCells = col(cols.event);
  const viewCells = cols.view ? col(cols.view) : null;
  const caseCells = cols.case ? col(cols.case) : null;
  const issues: Issue[] = [];
  const problem = (r: number, message: string) => issues.push({ r, message: `${where(r)}: ${message}` });

  const time = new Array<number>(n).fill(NaN);
  const event = new Array<number>(n).fill(-1);
  const cases = new Array<string>(n).fill("");
  const views: string[] | null = viewCells ? new Array<string>(n).fill("") : null;
  const firstLine = new Int32Array(n).fill(-1);
  /** Per case: its first manifest row, time, event, group, and its views (view -> manifest row). */
  const perCase = new Map<string, { r: number; time: number; event: number; group: string; views: Map<string, number>; images: number[] }>();
  const yearsText = (t: number) => String(Math.round(t * 1e4) / 1e4);
  const timeWhat = cols.time.length === 1 ? `column "${cols.time[0]}"` : `columns "${cols.time[0]}", "${cols.time[1]}"`;

  for (let r = 0; r < m.rows; r++) {
    const i = rowOf[r];
    // follow-up
    let t: number | null = null;
    if (cols.time.length === 1) {
      const cell = timeCells[0][r];
      const v = parseYears(cell);
      if (typeof v !== "number")
        problem(r, v.problem === "missing"
          ? `column "${cols.time[0]}" is empty; every exam needs its follow-up in years (time to the diagnosis, or to the last contact when censored): fill it in or leave the row out`
          : `column "${cols.time[0]}": "${cell}" is not a number of years; write the follow-up as a number (e.g. 3.5), or pass --time-col START,END for two date columns`);
      else if (v < 0) problem(r, `column "${cols.time[0]}": follow-up "${cell}" is negative; it is the years from the exam to the diagnosis or the last contact: fix the value`);
      else t = v;
    } else {
      const [a, b] = [timeCells[0][r], timeCells[1][r]];
      const da = a === null ? null : parseDateDays(a), db = b === null ? null : parseDateDays(b);
      if (a === null || b === null)
        problem(r, `column "${cols.time[a === null ? 0 : 1]}" is empty; every exam needs its ${a === null ? "start (exam) date" : "end date (diagnosis or last contact)"}: fill it in or leave the row out`);
      else if (da === null || db === null) {
        const [c, v] = da === null ? [cols.time[0], a] : [cols.time[1], b];
        problem(r, `column "${c}": "${v}" is not a date; write dates as YYYY-MM-DD (ISO 8601, e.g. 2019-03-27)`);
      } else if (db < da)
        problem(r, `columns "${cols.time[0]}", "${cols.time[1]}": the end date ${b} is before the start date ${a} (a negative follow-up); fix one of them`);
      else t = (db - da) / DAYS_PER_YEAR;
    }
    // event
    const ecell = eventCells[r];
    const e = parseEvent(ecell);
    if (e === null)
      problem(r, ecell === null
        ? `column "${cols.event}" is empty; every exam needs its event: 1 (diagnosed) or 0 (censored)`
        : `column "${cols.event}": "${ecell}" is not an event value; write 1 (diagnosed) or 0 (censored) (true/false and yes/no are read too)`);
    if (e === 1 && t === 0)
      problem(r, `${timeWhat}: an event at follow-up 0 (event "${ecell}"); a diagnosis at the exam itself is not a future risk: leave the exam out, or check the ${cols.time.length === 1 ? "follow-up" : "dates"}`);
    // view and case
    let view: string | null = null;
    if (viewCells) {
      view = viewCells[r]?.trim() || null;
      if (view === null) problem(r, `column "${cols.view}" is empty; every image needs its view (e.g. L-CC, R-MLO) with --view-col`);
    }
    let kase: string;
    if (caseCells) {
      const c = caseCells[r];
      if (c === null) {
        problem(r, `column "${cols.case}" is empty; every image needs the exam (case) it belongs to with --case-col`);
        continue;
      }
      kase = c;
    } else kase = `image:${table.imageIds[i]}`;

    // a merged image: its rows must say the same
    if (firstLine[i] >= 0) {
      const f = firstLine[i];
      if (cases[i] !== kase) problem(r, `image "${table.imageIds[i]}" is in case "${cases[i]}" on ${where(f)} but in case "${kase}" here; an image belongs to one case`);
      else if (views && view !== null && views[i] && views[i] !== view) problem(r, `column "${cols.view}": image "${table.imageIds[i]}" is view "${views[i]}" on ${where(f)} but "${view}" here; an image is one view`);
    } else {
      firstLine[i] = r;
      cases[i] = kase;
      if (views && view !== null) views[i] = view;
    }
    if (t === null || e === null) continue;
    if (Number.isNaN(time[i])) {
      time[i] = t;
      event[i] = e;
    }
    const seen = perCase.get(kase);
    if (!seen) {
      perCase.set(kase, { r, time: t, event: e, group: table.groups[i], views: new Map(view === null ? [] : [[view, r]]), images: [i] });
      continue;
    }
    if (Math.abs(seen.time - t) > 1e-9 || seen.event !== e) {
      const what = cols.case ? `case "${kase}"` : `image "${table.imageIds[i]}"`;
      const parts = [
        ...(Math.abs(seen.time - t) > 1e-9 ? [`follow-up ${yearsText(seen.time)} on ${where(seen.r)} but ${yearsText(t)} here (${timeWhat})`] : []),
        ...(seen.event !== e ? [`event ${seen.event} on ${where(seen.r)} but ${e} here (column "${cols.event}", "${ecell}")`] : []),
      ];
      problem(r, `the rows of ${what} disagree: ${parts.join("; ")}; the views of an exam share its follow-up and event: make them equal${cols.case ? `, or give the exams different --case-col values` : ""}`);
      continue;
    }
    if (seen.group !== table.groups[i])
      problem(r, `case "${kase}" has images of patient "${seen.group}" (${where(seen.r)}) and of patient "${table.groups[i]}" here; an exam is of one patient: fix the case or the patient column`);
    if (!seen.images.includes(i)) {
      seen.images.push(i);
      if (view !== null) {
        const other = seen.views.get(view);
        if (other !== undefined)
          problem(r, `column "${cols.view}": case "${kase}" has view "${view}" twice (image "${table.imageIds[rowOf[other]]}" on ${where(other)} and image "${table.imageIds[i]}" here); each view of an exam is one image: fix the view, or give the exams different --case-col values`);
        else seen.views.set(view, r);
      } else if (!cols.view)
        problem(r, `case "${kase}" has several images (${seen.images.map((k) => `"${table.imageIds[k]}"`).join(", ")}) but nothing says which view each is; pass --view-col C naming the view column, or leave --case-col out so that each image is its own exam`);
    }
  }
  if (issues.length) {
    const listed = issues.slice(0, MAX_LISTED).map((x) => x.message);
    const more = issues.length > MAX_LISTED ? `; and ${issues.length - MAX_LISTED} more` : "";
    throw new ManifestError(issues.length === 1 ? listed[0] : `${issues.length} problems with the follow-up targets: ${listed.join("; ")}${more}`);
  }

  let oracleList: number[] | null = null;
  if (oracle) {
    oracleList = cases.map((c) => {
      const v = oracle[c];
      if (typeof v !== "number" || !Number.isFinite(v)) throw new ManifestError(`the known log-hazards name no (finite) value for case "${c}"; give one for every case`);
      return v;
    });
  }
  const viewNames = views ? [...new Set(views)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : [SINGLE_VIEW];
  return { cases, views, viewNames, time, event, oracle: oracleList };
}

/** numpy's default (linear) quantile of a sorted list. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (!sorted.length) return 0;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h), hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;
const yearBin = (t: number) => {
  const k = Math.floor(t);
  return `${k}-${k + 1}`;
};

/**
 * The survival part of the import report, over the usable rows (found and readable): cases, events and
 * censoring, the follow-up distribution, views per case and the views cases lack.
 */
export function survivalReport(s: DatasetSurvival, usable: Uint8Array, columns: SurvivalReport["columns"]): SurvivalReport {
  const n = s.cases.length;
  const byCase = new Map<string, { time: number; event: number; views: Set<string>; rows: number }>();
  const allCases = new Set<string>();
  const viewCounts = Object.fromEntries(s.viewNames.map((v) => [v, 0]));
  for (let i = 0; i < n; i++) {
    allCases.add(s.cases[i]);
    if (!usable[i]) continue;
    const view = s.views ? s.views[i] : s.viewNames[0];
    viewCounts[view]++;
    const c = byCase.get(s.cases[i]);
    if (c) {
      c.views.add(view);
      c.rows++;
    } else byCase.set(s.cases[i], { time: s.time[i], event: s.event[i], views: new Set([view]), rows: 1 });
  }
  const list = [...byCase.values()];
  const times = Float64Array.from(list, (c) => c.time).sort();
  const top = times.length ? Math.floor(times[times.length - 1]) : -1;
  const bins = () => Object.fromEntries(Array.from({ length: top + 1 }, (_, k) => [`${k}-${k + 1}`, 0]));
  const followupHistogram = bins(), eventsPerYear = bins(), censoredPerYear = bins();
  const viewsPerCase: Record<string, number> = {};
  const missingByView = Object.fromEntries(s.viewNames.map((v) => [v, 0]));
  let events = 0, casesMissingView = 0, sum = 0;
  for (const c of list) {
    const bin = yearBin(c.time);
    followupHistogram[bin]++;
    if (c.event) {
      events++;
      eventsPerYear[bin]++;
    } else censoredPerYear[bin]++;
    sum += c.time;
    const k = String(c.views.size);
    viewsPerCase[k] = (viewsPerCase[k] ?? 0) + 1;
    if (c.views.size < s.viewNames.length) {
      casesMissingView++;
      for (const v of s.viewNames) if (!c.views.has(v)) missingByView[v]++;
    }
  }
  const q = (p: number) => round(quantileSorted(times, p));
  return {
    columns,
    cases: list.length,
    casesWithoutImages: allCases.size - list.length,
    events,
    censored: list.length - events,
    eventRate: list.length ? round(events / list.length) : 0,
    followup: {
      min: round(times[0] ?? 0), max: round(times[times.length - 1] ?? 0), mean: list.length ? round(sum / list.length) : 0,
      median: q(0.5), p10: q(0.1), p25: q(0.25), p75: q(0.75), p90: q(0.9),
    },
    followupHistogram,
    eventsPerYear,
    censoredPerYear,
    viewsPerCase: Object.fromEntries(Object.entries(viewsPerCase).sort((a, b) => Number(a[0]) - Number(b[0]))),
    viewCounts,
    casesMissingView,
    missingByView,
  };
}
