import { describe, expect, it } from "vitest";
import { trainerCommand } from "./trainer-command.ts";

describe("trainerCommand", () => {
  it("runs one trainer process, whatever the GPU count", () => {
    // one process whatever the GPU count: the trainer launches its own DDP ranks
    expect(trainerCommand("/py", "/s.json", "")).toEqual(["/py", "-m", "trainyard_trainer", "train", "--spec", "/s.json"]);
  });
  it("takes an override as words or a JSON array", () => {
    expect(trainerCommand("/py", "/s", "node fake.mjs")).toEqual(["node", "fake.mjs", "--spec", "/s"]);
    expect(trainerCommand("/py", "/s", '["my node", "a b.mjs"]')).toEqual(["my node", "a b.mjs", "--spec", "/s"]);
    expect(() => trainerCommand("/py", "/s", "[1]")).toThrow(/JSON array of strings/);
  });
});
