import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sweepErrorSchema, sweepRequestSchema, sweepResponseSchemas, type SweepOp } from "./sweep-protocol.ts";

const fixture = JSON.parse(readFileSync(new URL("../fixtures/sweep-protocol.json", import.meta.url), "utf8")) as {
  exchanges: { request: { op: SweepOp }; response: { ok: boolean } }[];
};

describe("the sweep protocol fixture (shared with test_sweep_search.py)", () => {
  it("has every op, and each line parses with its schema", () => {
    expect(new Set(fixture.exchanges.map((x) => x.request.op))).toEqual(new Set(Object.keys(sweepResponseSchemas)));
    for (const { request, response } of fixture.exchanges) {
      expect(sweepRequestSchema.safeParse(request).error).toBeUndefined();
      const schema = response.ok ? sweepResponseSchemas[request.op] : sweepErrorSchema;
      expect(schema.safeParse(response).error, JSON.stringify(response)).toBeUndefined();
    }
  });

  it("refuses a request or answer that strays from the contract", () => {
    expect(sweepRequestSchema.safeParse({ id: 1, op: "report", number: 0, step: 1 }).success).toBe(false);
    expect(sweepResponseSchemas.report.safeParse({ id: 1, ok: true, prune: "no" }).success).toBe(false);
    expect(sweepResponseSchemas.ask.safeParse({ id: 1, ok: true, number: 0, params: {}, extra: 1 }).success).toBe(false);
  });
});
