// `npx trainyard ...` prints only the CLI's own output: no npm warnings from the project's npm config
// (an unknown key in .npmrc made every call print one).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

it("npx trainyard prints no npm warnings", () => {
  const r = spawnSync("npx", ["--no", "trainyard", "help"], { cwd: REPO, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  expect(r.error).toBeUndefined();
  const output = `${r.stdout}\n${r.stderr}`;
  expect(output).toContain("trainyard daemon");
  expect(output).not.toMatch(/npm (warn|WARN|notice)/);
});
