import { describe, expect, it } from "vitest";
import { ACTIVE_STATES, FINAL_STATES, RUN_STATES } from "./run-states.ts";

describe("run states", () => {
  it("splits every state into active or final, none in both", () => {
    expect([...ACTIVE_STATES, ...FINAL_STATES].sort()).toEqual([...RUN_STATES].sort());
    expect(ACTIVE_STATES.filter((s) => FINAL_STATES.includes(s))).toEqual([]);
  });
});
