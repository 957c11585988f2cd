import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { defaultsDocument, TRAINER_DEFAULTS_FILE } from "./defaults-file.ts";

it("the trainer's config_defaults.json matches the schema (run `npm run gen:config-defaults`)", () => {
  expect(readFileSync(TRAINER_DEFAULTS_FILE, "utf8")).toBe(defaultsDocument());
});
