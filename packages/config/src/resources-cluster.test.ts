// resources' cluster keys: executor, nodes, gpus_per_node and a time limit in Slurm's two spellings.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load.ts";
import { isTimeLimit } from "./schema.ts";

const BASE = JSON.stringify({ name: "r", dataset: { name: "d" } });
const issues = (overrides: string[]) => {
  try {
    loadConfig(BASE, overrides);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
};

describe("resources for a cluster", () => {
  it("defaults: the daemon's executor, one node, resources.gpus per node, no time limit", () => {
    expect(loadConfig(BASE).resources).toMatchObject({ executor: null, nodes: 1, gpus_per_node: null, time_limit: null });
  });

  it("takes HH:MM:SS and D-HH:MM:SS", () => {
    for (const t of ["00:30:00", "72:00:00", "1-12:00:00", "14-00:00:00"]) expect(isTimeLimit(t), t).toBe(true);
    expect(loadConfig(BASE, ['resources.time_limit="1-12:00:00"', "resources.executor=slurm", "resources.nodes=4"]).resources).toMatchObject({ time_limit: "1-12:00:00", executor: "slurm", nodes: 4 });
  });

  it("refuses other time spellings, executors and node counts with the field and what is expected", () => {
    for (const t of ["90", "1:30", "00:60:00", "1-24:00:00", "2 hours", "1-2-03:00:00"]) {
      expect(isTimeLimit(t), t).toBe(false);
      const [issue] = issues([`resources.time_limit="${t}"`]);
      expect(issue.path).toBe("resources.time_limit");
      expect(issue.message).toMatch(/HH:MM:SS or D-HH:MM:SS/);
    }
    expect(issues(["resources.executor=kubernetes"])[0]).toMatchObject({ path: "resources.executor", message: expect.stringMatching(/local, slurm/) });
    expect(issues(["resources.nodes=0"])[0].path).toBe("resources.nodes");
  });
});
