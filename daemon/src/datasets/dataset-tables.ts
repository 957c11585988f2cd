// Dataset tables kept in memory, compiled for counting: a preview over a 370k-row dataset must not
// re-read and re-parse its table.json. One entry per dataset (keyed by id, so a re-import replaces it).
import { compileDatasetIndex, compileRiskCases, detectionTable, readCacheIndex, readDatasetTable, usableFromCacheRows, type DatasetIndex, type DatasetTable, type RiskCases } from "@trainyard/data";
import { getImageCache, type DatasetRow } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { cacheDir } from "../home.ts";

interface Entry {
  id: number;
  table: DatasetTable;
  index: DatasetIndex;
  /** The index detection selects from (each image's diagnoses = its box classes); compiled on first use. */
  boxIndex?: DatasetIndex;
  /** The exams risk selects from; compiled on first use. */
  riskCases?: RiskCases;
  /** Usable-row masks from built image caches, by cache size. */
  usable: Map<number, Uint8Array>;
}

const MAX_ENTRIES = 4;
const byDaemon = new WeakMap<Daemon, Map<string, Entry>>();

function entries(daemon: Daemon): Map<string, Entry> {
  let m = byDaemon.get(daemon);
  if (!m) byDaemon.set(daemon, (m = new Map()));
  return m;
}

export function loadDataset(daemon: Daemon, row: DatasetRow): Entry {
  const m = entries(daemon);
  const hit = m.get(row.name);
  if (hit && hit.id === row.id) {
    m.delete(row.name); // most recently used last
    m.set(row.name, hit);
    return hit;
  }
  const table = readDatasetTable(row.dir);
  const entry: Entry = { id: row.id, table, index: compileDatasetIndex(table), usable: new Map() };
  m.set(row.name, entry);
  while (m.size > MAX_ENTRIES) m.delete(m.keys().next().value!);
  return entry;
}

/** The index a detection run or preview selects from; null for a dataset without boxes. */
export function detectionIndex(entry: Entry): DatasetIndex | null {
  if (!entry.table.boxes) return null;
  return (entry.boxIndex ??= compileDatasetIndex(detectionTable(entry.table)));
}

/** The exams a risk run or preview selects from; null for a dataset without follow-up targets. */
export function riskCases(entry: Entry): RiskCases | null {
  if (!entry.table.survival) return null;
  return (entry.riskCases ??= compileRiskCases(entry.table));
}

export function forgetDataset(daemon: Daemon, name: string): void {
  entries(daemon).delete(name);
}

/**
 * The usable rows as a run of this image size will see them: from the built cache when there is one
 * (it may have found images the import could not decode), else null (the import's exclusions apply).
 */
export function usableRows(daemon: Daemon, row: DatasetRow, entry: Entry, size: number | undefined): { usable: Uint8Array | null; source: "cache" | "import" } {
  if (!size) return { usable: null, source: "import" };
  const cached = getImageCache(daemon.store.db, row.id, size);
  if (cached?.status !== "ready") return { usable: null, source: "import" };
  let usable = entry.usable.get(size);
  if (!usable) {
    const index = readCacheIndex(cacheDir(daemon.home, row.name, size));
    if (!index || index.count !== entry.table.imageIds.length) return { usable: null, source: "import" };
    usable = usableFromCacheRows(Int32Array.from(index.rows), entry.table.excluded);
    entry.usable.set(size, usable);
  }
  return { usable, source: "cache" };
}

/** A cache was (re)built: its usable mask must be read again. */
export function forgetCacheMask(daemon: Daemon, name: string, size: number): void {
  entries(daemon).get(name)?.usable.delete(size);
}
