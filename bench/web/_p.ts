import Database from "better-sqlite3";
import { readStepValues, readSmoothing } from "@trainyard/db";
const db = new Database("/tmp/webbench/trainyard.db", { readonly: true });
const series = db.prepare("SELECT DISTINCT run_id, key FROM metric_blocks").raw().all() as [string, string][];
const t = (name: string, fn: () => void) => { const t0 = performance.now(); fn(); console.log(name, (performance.now() - t0).toFixed(0), "ms"); };
const q = db.prepare("SELECT n, min_step, max_step, step_start, step_stride, value_data, CASE WHEN step_stride IS NULL THEN step_data END step_data FROM metric_blocks WHERE run_id = ? AND key = ? AND min_step <= ? ORDER BY seq");
const q2 = db.prepare("SELECT value_data FROM metric_blocks WHERE run_id = ? AND key = ? ORDER BY seq").pluck();
for (let round = 0; round < 4; round++) {
  t("sql", () => { for (const [r, k] of series) q.all(r, k, 1e18); });
  t("sql values pluck", () => { for (const [r, k] of series) q2.all(r, k); });
  t("readStepValues", () => { for (const [r, k] of series) readStepValues(db, r, k); });
  t("readSmoothing", () => { for (const [r, k] of series) readSmoothing(db, r, k, { maxPoints: 400, smoothing: 0.6 }); });
}
