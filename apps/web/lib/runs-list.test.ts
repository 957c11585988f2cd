import { describe, expect, it } from "vitest";
import { RUNS_COLUMNS, runsGridTemplate, slotLabel, upsertRun } from "./runs-list.ts";

describe("upsertRun", () => {
  it("replaces by id and inserts new runs newest first", () => {
    const list = [{ id: "b", createdAt: 2, v: 1 }, { id: "a", createdAt: 1, v: 1 }];
    expect(upsertRun(list, { id: "a", createdAt: 1, v: 2 })).toEqual([{ id: "b", createdAt: 2, v: 1 }, { id: "a", createdAt: 1, v: 2 }]);
    expect(upsertRun(list, { id: "c", createdAt: 3, v: 1 }).map((r) => r.id)).toEqual(["c", "b", "a"]);
  });
});

describe("runs table columns", () => {
  it("has one grid track per column, the selection column first and Queue last", () => {
    const tracks = runsGridTemplate().match(/minmax\([^)]*\)|\S+/g) ?? [];
    expect(tracks).toHaveLength(RUNS_COLUMNS.length);
    expect(RUNS_COLUMNS[0].id).toBe("select");
    expect(RUNS_COLUMNS.at(-1)?.label).toBe("Queue");
    expect(new Set(RUNS_COLUMNS.map((c) => c.id)).size).toBe(RUNS_COLUMNS.length);
  });

  it("fits the page's 1,232 px at 1280 px wide with every flexible column at its minimum", () => {
    const min = (w: string) => Number((/minmax\((\d+)px/.exec(w) ?? /^(\d+)px$/.exec(w))?.[1]);
    const widths = RUNS_COLUMNS.map((c) => min(c.width));
    expect(widths.every(Number.isFinite)).toBe(true);
    const gaps = 8 * (RUNS_COLUMNS.length - 1);
    const padding = 20 + 2; // .vtable-row padding and the table's border
    expect(widths.reduce((a, b) => a + b, 0) + gaps + padding).toBeLessThanOrEqual(1232);
  });

  it("gives Created room for a one-line date", () => {
    const created = RUNS_COLUMNS.find((c) => c.id === "created")!;
    expect(Number(/^(\d+)px$/.exec(created.width)?.[1])).toBeGreaterThanOrEqual(80);
  });
});

describe("slotLabel", () => {
  it("shows a CPU run's slot, not its GPU count", () => {
    expect(slotLabel({ status: "completed", slots: ["cpu:0"], gpus: 1 }).text).toBe("cpu");
    expect(slotLabel({ status: "running", slots: ["cpu:1"], gpus: 0 }).title).toBe("on cpu:1");
  });

  it("lists the GPU ids of a GPU run", () => {
    expect(slotLabel({ status: "running", slots: ["gpu:0", "gpu:1"], gpus: 2 })).toEqual({ text: "gpu 0,1", title: "on gpu:0, gpu:1" });
    expect(slotLabel({ status: "failed", slots: ["gpu:3"], gpus: 1 })).toEqual({ text: "gpu 3", title: "ran on gpu:3" });
  });

  it("shows what a queued run asks for", () => {
    expect(slotLabel({ status: "queued", slots: [], gpus: 1 }).text).toBe("1 GPU");
    expect(slotLabel({ status: "queued", slots: [], gpus: 2 }).text).toBe("2 GPUs");
    expect(slotLabel({ status: "queued", slots: [], gpus: 0 }).text).toBe("CPU");
    // a resumed run waits again: its last attempt's slot is not where it will run
    expect(slotLabel({ status: "queued", slots: ["gpu:1"], gpus: 1 })).toEqual({ text: "1 GPU", title: "asks for 1 GPU" });
    expect(slotLabel({ status: "cancelled", slots: [], gpus: 0 })).toEqual({ text: "CPU", title: "asked for CPU; never started" });
  });
});
