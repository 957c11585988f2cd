import { describe, expect, it } from "vitest";
import { upsertRun } from "./runs-list.ts";

describe("upsertRun", () => {
  it("replaces by id and inserts new runs newest first", () => {
    const list = [{ id: "b", createdAt: 2, v: 1 }, { id: "a", createdAt: 1, v: 1 }];
    expect(upsertRun(list, { id: "a", createdAt: 1, v: 2 })).toEqual([{ id: "b", createdAt: 2, v: 1 }, { id: "a", createdAt: 1, v: 2 }]);
    expect(upsertRun(list, { id: "c", createdAt: 3, v: 1 }).map((r) => r.id)).toEqual(["c", "b", "a"]);
  });
});
