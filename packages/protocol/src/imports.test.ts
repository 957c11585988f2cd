// The protocol is what every side may depend on, so it depends on nothing in the repository: a module
// here that imported the store or the daemon would drag them into the browser bundle. Libraries it declares in
// its package.json (zod, for the sweep process's messages) are allowed.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const dir = new URL(".", import.meta.url);
const declared = Object.keys(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).dependencies ?? {});

describe("protocol imports", () => {
  it("imports only its own modules and its declared libraries (tests also vitest and node:)", () => {
    const bad: string[] = [];
    for (const name of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(new URL(name, dir), "utf8");
      for (const m of text.matchAll(/^\s*(?:import|export)\b[^"'`]*?\bfrom\s*["']([^"']+)["']/gm)) {
        const spec = m[1];
        const ok =
          /^\.\/[\w-]+\.ts$/.test(spec) ||
          declared.includes(spec) ||
          (name.endsWith(".test.ts") && (spec === "vitest" || spec.startsWith("node:")));
        if (!ok) bad.push(`${name}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
