import { describe, expect, it } from "vitest";
import { pagesFor, visibleRows } from "./virtual-rows.ts";

describe("virtual rows", () => {
  it("renders only the rows in view (plus overscan) out of 1,000", () => {
    const v = visibleRows(4000, 600, 40, 1000, 5);
    expect(v).toEqual({ first: 95, last: 120, offset: 3800 });
  });
  it("clamps at both ends", () => {
    expect(visibleRows(0, 600, 40, 3, 5)).toEqual({ first: 0, last: 3, offset: 0 });
  });
  it("finds the server pages that hold the rows", () => {
    expect(pagesFor(95, 120, 100)).toEqual([0, 1]);
    expect(pagesFor(0, 0, 100)).toEqual([0]);
  });
});
