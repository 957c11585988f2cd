import { describe, expect, it } from "vitest";
import { fieldIssues, getIn, moveItem, readConfig, setConfigValue } from "./config-doc.ts";

const text = `# my run
name: demo
dataset:
  name: demo  # the built-in one
  labels: {set: demo3, other_class: true, other_ratio: 0.25}
training:
  phases:
    - {name: heads, epochs: 2, lr: 3.0e-3, train: [heads]}
`;

describe("config doc", () => {
  it("a form edit changes one value and keeps the comments", () => {
    const out = setConfigValue(text, ["dataset", "labels", "other_ratio"], 0.4);
    expect(out).toContain("# my run");
    expect(out).toContain("# the built-in one");
    expect(getIn(readConfig(out).value, ["dataset", "labels", "other_ratio"])).toBe(0.4);
    expect(getIn(readConfig(out).value, ["dataset", "labels", "set"])).toBe("demo3");
  });

  it("sets a whole phase list (add / reorder) and reads it back", () => {
    const phases = [{ name: "a", epochs: 1, lr: 1e-3 }, { name: "b", epochs: 2, lr: 1e-4 }, { name: "c", epochs: 3, lr: 1e-5 }];
    const out = setConfigValue(text, ["training", "phases"], phases);
    expect(getIn(readConfig(out).value, ["training", "phases"])).toEqual(phases);
  });

  it("undefined deletes a key; a text that does not parse is left alone", () => {
    expect(getIn(readConfig(setConfigValue(text, ["dataset", "labels"], undefined)).value, ["dataset", "labels"])).toBeUndefined();
    expect(setConfigValue("name: [", ["name"], "x")).toBe("name: [");
    expect(readConfig("name: [").error).toBeTruthy();
  });

  it("field issues name the path of the field, before anything is submitted", () => {
    const issues = fieldIssues(readConfig(setConfigValue(text, ["training", "phases", 0, "lr"], -1)).value);
    expect(issues.get("training.phases[0].lr")).toMatch(/positive/);
    expect(fieldIssues(readConfig(text).value).size).toBe(0);
  });

  it("moves list items", () => {
    expect(moveItem(["a", "b", "c"], 2, 0)).toEqual(["c", "a", "b"]);
    expect(moveItem(["a", "b"], 0, -1)).toEqual(["a", "b"]);
  });
});
