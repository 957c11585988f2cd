// The check behind "every events.jsonl line is stored exactly once" (crash recovery, the Slurm executor):
// metric values as metric rows (sealed blocks and unsealed rows alike), other events as run_events.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { distinctKeys, openStore, readSeriesColumns } from "@trainyard/db";

/**
 * Asserts it for one run of a daemon home and returns the file's line count. `daemonNotes`: "in-file" when the
 * daemon appends its own notes to the file (local runs), "store-only" when the trainer owns the file (Slurm
 * runs: the notes are stored but must never appear in it).
 */
export function expectEventsStoredOnce(home: string, runId: string, daemonNotes: "in-file" | "store-only"): number {
  const lines = readFileSync(join(home, "runs", runId, "events.jsonl"), "utf8").split("\n").filter(Boolean);
  const fromFile: string[] = [];
  const otherFromFile: Record<string, number> = {};
  for (const line of lines) {
    const e = JSON.parse(line.replace(/\bNaN\b|-?Infinity\b/g, "null"));
    if (daemonNotes === "store-only") expect(String(e.message ?? "")).not.toMatch(/^\[daemon\]/);
    if (e.type === "metrics") {
      for (const [k, v] of Object.entries(e.values)) if (typeof v === "number") fromFile.push(`${k}|${e.step}|${e.time}|${v}`);
    } else if (["log", "checkpoint", "curve", "done"].includes(e.type)) otherFromFile[e.type] = (otherFromFile[e.type] ?? 0) + 1;
  }
  const store = openStore(join(home, "trainyard.db"), { readonly: true });
  try {
    const stored = distinctKeys(store.sqlite, runId)
      .filter((k) => !k.startsWith("system/"))
      .flatMap((k) => {
        const c = readSeriesColumns(store.sqlite, runId, k);
        return Array.from(c.step, (step, i) => `${k}|${step}|${c.time[i]}|${c.value[i]}`);
      });
    expect(stored.sort()).toEqual(fromFile.sort());
    const notes = daemonNotes === "store-only" ? " AND NOT (type = 'log' AND message LIKE '[daemon]%')" : "";
    const events = store.sqlite.prepare(`SELECT type, count(*) n FROM run_events WHERE run_id = ?${notes} GROUP BY type`).all(runId) as { type: string; n: number }[];
    expect(Object.fromEntries(events.map((e) => [e.type, e.n]))).toEqual(otherFromFile);
  } finally {
    store.close();
  }
  return lines.length;
}
