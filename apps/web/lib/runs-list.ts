// Keeping the cached runs list current from live run summaries. Pure.

interface Listed {
  id: string;
  createdAt: number;
}

/** `run` put into `list` (replacing the one with its id), newest first, as runs.list orders them. */
export function upsertRun<T extends Listed>(list: readonly T[], run: T): T[] {
  const at = list.findIndex((r) => r.id === run.id);
  if (at >= 0) {
    const next = list.slice();
    next[at] = run;
    return next;
  }
  const next = [run, ...list];
  return next.sort((a, b) => b.createdAt - a.createdAt);
}

/** The runs table's sort keys (charts.runsPage's `sort`, RUN_SORT_COLUMNS in packages/db). */
export type RunsSortKey = "created" | "name" | "status" | "owner" | "dataset" | "labelSet" | "best" | "duration" | "gpus" | "priority" | "progress";

export interface RunsColumn {
  id: string;
  /** The header text (screen-reader only for the selection column). */
  label: string;
  /** Sorts on click; null: not sortable. */
  sort: RunsSortKey | null;
  /** Its grid track: a fixed width, or minmax(min, share) for the columns that take the spare room. */
  width: string;
  /** Numbers and short codes align right, header included. */
  numeric?: boolean;
}

/**
 * The runs table's columns, in order: header and rows render from this list and the grid's tracks are
 * built from it (runsGridTemplate), so a column added or removed can never leave a cell without a track.
 * (A hand-written track list one short of the cells pushed "Queue" onto a second grid row, over the
 * checkboxes, and squeezed "Created" into the GPUs' 50 px.) The fixed widths fit their longest usual
 * content at 12-13 px; at the page's 1,232 px minimum (1280 px window) the two flexible columns keep
 * their minimum.
 */
export const RUNS_COLUMNS: readonly RunsColumn[] = [
  { id: "select", label: "Select", sort: null, width: "28px" },
  { id: "name", label: "Run", sort: "name", width: "minmax(160px, 2fr)" },
  { id: "status", label: "Status", sort: "status", width: "104px" },
  { id: "progress", label: "Progress · ETA", sort: "progress", width: "minmax(140px, 1.4fr)" },
  { id: "owner", label: "Owner", sort: "owner", width: "80px" },
  { id: "dataset", label: "Dataset", sort: "dataset", width: "100px" },
  { id: "labelSet", label: "Label set", sort: "labelSet", width: "90px" },
  { id: "best", label: "Best", sort: "best", width: "70px", numeric: true },
  { id: "duration", label: "Duration", sort: "duration", width: "80px", numeric: true },
  { id: "created", label: "Created", sort: "created", width: "92px" },
  { id: "gpus", label: "GPUs", sort: "gpus", width: "72px" },
  { id: "queue", label: "Queue", sort: "priority", width: "56px", numeric: true },
];

/** grid-template-columns for the header and every row: one track per column. */
export function runsGridTemplate(columns: readonly RunsColumn[] = RUNS_COLUMNS): string {
  return columns.map((c) => c.width).join(" ");
}

interface SlotsOf {
  status: string;
  /** Slot ids of the current or last attempt: "cpu:0", "gpu:1". */
  slots: readonly string[];
  /** resources.gpus: what the run asks for. */
  gpus: number;
}

/**
 * What the GPUs column shows: where the run runs or ran ("cpu", "gpu 0,1"), and for a run that has never
 * held a slot (queued, or cancelled while queued) what it asks for ("1 GPU", "2 GPUs", "CPU"). The count
 * alone said "1" for a run that the daemon had put on a CPU slot.
 */
export function slotLabel(run: SlotsOf): { text: string; title: string } {
  const ask = run.gpus > 0 ? `${run.gpus} GPU${run.gpus === 1 ? "" : "s"}` : "CPU";
  if (!run.slots.length || run.status === "queued") {
    return { text: ask, title: run.status === "queued" ? `asks for ${ask}` : `asked for ${ask}; never started` };
  }
  const gpuIds = run.slots.filter((s) => s.startsWith("gpu:")).map((s) => s.slice(4));
  const cpu = run.slots.some((s) => s.startsWith("cpu:"));
  const parts = [...(gpuIds.length ? [`gpu ${gpuIds.join(",")}`] : []), ...(cpu ? ["cpu"] : [])];
  return { text: parts.join(" + ") || run.slots.join(","), title: `${isActiveStatus(run.status) ? "on" : "ran on"} ${run.slots.join(", ")}` };
}

const isActiveStatus = (s: string) => s === "running" || s === "queued";
