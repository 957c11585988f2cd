import { describe, expect, it } from "vitest";
import { decideQueue } from "./queue-policy.ts";

const run = (id: string, need: number, queuedAt = 0) => ({ id, need, queuedAt });
const NOW = 1_000_000;

describe("decideQueue", () => {
  it("starts runs in queue order while they fit, never giving one slot twice", () => {
    const d = decideQueue([run("a", 1), run("b", 1), run("c", 1)], ["gpu:0", "gpu:1"], 2, NOW, Infinity);
    expect(d.launch).toEqual([{ id: "a", slots: ["gpu:0"] }, { id: "b", slots: ["gpu:1"] }]);
    expect(d.waiting.get("c")).toEqual({ position: 3, reason: "waiting for 1 GPU (0 GPUs free)" });
  });

  it("lets a small run backfill past a large one that does not fit, while the large one is young", () => {
    const d = decideQueue([run("big", 2, NOW - 1000), run("small", 1, NOW)], ["gpu:1"], 2, NOW, 60_000);
    expect(d.launch).toEqual([{ id: "small", slots: ["gpu:1"] }]);
    expect(d.waiting.get("big")?.reason).toBe("waiting for 2 GPUs (1 GPU free)");
  });

  it("holds free slots for a large run that has waited past the reservation time", () => {
    const d = decideQueue([run("big", 2, NOW - 120_000), run("small", 1, NOW)], ["gpu:1"], 2, NOW, 60_000);
    expect(d.launch).toEqual([]);
    expect(d.waiting.get("big")?.reason).toMatch(/held for it/);
    expect(d.waiting.get("small")?.reason).toMatch(/held for big/);
    // once the other GPU frees up, the large run gets both
    expect(decideQueue([run("big", 2, 0), run("small", 1)], ["gpu:0", "gpu:1"], 2, NOW, 60_000).launch).toEqual([{ id: "big", slots: ["gpu:0", "gpu:1"] }]);
  });

  it("lets a run behind the reserving one use slots beyond the reservation", () => {
    const d = decideQueue([run("big", 3, 0), run("small", 1)], ["gpu:0", "gpu:1"], 4, NOW, 0);
    expect(d.launch).toEqual([]); // both free slots are held for big
    const d2 = decideQueue([run("a", 1), run("big", 3, 0), run("small", 1)], ["gpu:0", "gpu:1", "gpu:2"], 4, NOW, 0);
    expect(d2.launch).toEqual([{ id: "a", slots: ["gpu:0"] }]);
    expect(d2.waiting.get("small")?.position).toBe(3);
  });

  it("says so when a run can never fit", () => {
    const d = decideQueue([run("huge", 8)], ["gpu:0"], 1, NOW, 0);
    expect(d.waiting.get("huge")?.reason).toMatch(/needs 8 GPUs but the daemon has 1/);
  });
});
