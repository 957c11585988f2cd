import { describe, expect, it } from "vitest";
import { groupsCrossingSplits, splitByGroup } from "./split.ts";

const groups = Array.from({ length: 3000 }, (_, i) => `patient-${i % 1000}`); // 3 images per patient

describe("splitByGroup", () => {
  it("never puts one group in two splits", () => {
    const s = splitByGroup(groups, { train: 0.8, val: 0.1, test: 0.1, seed: 0 });
    const seen = new Map<string, number>();
    groups.forEach((g, i) => {
      if (seen.has(g)) expect(s[i]).toBe(seen.get(g));
      seen.set(g, s[i]);
    });
  });

  it("follows the ratios and is deterministic for a seed, different across seeds", () => {
    const a = splitByGroup(groups, { train: 0.8, val: 0.1, test: 0.1, seed: 1 });
    const b = splitByGroup([...groups], { train: 0.8, val: 0.1, test: 0.1, seed: 1 });
    const c = splitByGroup(groups, { train: 0.8, val: 0.1, test: 0.1, seed: 2 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const counts = [0, 0, 0];
    a.forEach((v) => counts[v]++);
    expect(counts).toEqual([2400, 300, 300]);
  });

  it("does not depend on manifest order", () => {
    const reversed = [...groups].reverse();
    const a = splitByGroup(groups, { train: 0.8, val: 0.1, test: 0.1, seed: 3 });
    const r = splitByGroup(reversed, { train: 0.8, val: 0.1, test: 0.1, seed: 3 });
    expect(Array.from(r).reverse()).toEqual(Array.from(a));
  });

  it("stratifies so a rare label reaches val and test", () => {
    const strata = groups.map((g) => (Number(g.split("-")[1]) % 50 === 0 ? "rare" : "common"));
    const s = splitByGroup(groups, { train: 0.8, val: 0.1, test: 0.1, seed: 0, strata });
    const rareSplits = new Set(groups.flatMap((_, i) => (strata[i] === "rare" ? [s[i]] : [])));
    expect([...rareSplits].sort()).toEqual([0, 1, 2]);
  });

  it("finds groups that a given split leaks", () => {
    const leaks = groupsCrossingSplits(["a", "a", "b", "c", "c"], ["train", "test", "train", "val", "val"]);
    expect([...leaks.entries()]).toEqual([["a", ["test", "train"]]]);
  });
});
