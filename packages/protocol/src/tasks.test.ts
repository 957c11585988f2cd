import { describe, expect, it } from "vitest";
import { archFamily, chartKeys, TASK_DECLARATIONS, TASKS } from "./tasks.ts";

describe("task declarations", () => {
  it("declare every task, each arch in exactly one family", () => {
    expect(Object.keys(TASK_DECLARATIONS).sort()).toEqual([...TASKS].sort());
    for (const t of TASKS) for (const a of TASK_DECLARATIONS[t].archs) expect(archFamily(a)).toBe(TASK_DECLARATIONS[t].family);
  });

  it("expand a wildcard chart key over the run's keys, years in numeric order, literal keys kept", () => {
    const chart = TASK_DECLARATIONS.risk.charts.find((c) => c.keys.includes("val/auc_year/*"))!;
    const run = ["val/auc_year/10", "val/auc_year/2", "val/auc_year/1", "val/auc_year_mean", "test/auc_year/1", "val/c_index"];
    expect(chartKeys(chart, run)).toEqual(["val/auc_year_mean", "val/auc_year/1", "val/auc_year/2", "val/auc_year/10"]);
    expect(chartKeys(chart, [])).toEqual(["val/auc_year_mean"]);
    expect(chartKeys(TASK_DECLARATIONS.detection.charts[0], run)).toEqual(["train/loss", "val/loss"]);
  });
});
