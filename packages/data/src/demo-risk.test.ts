// The risk demo: deterministic from the seed, four views per exam with about 5% missing one, follow-up
// within 8 years and a plausible event rate, the truth kept out of the manifest, and a true log-hazard
// that orders the event times (Harrell's concordance, computed here) well above chance. The manifest
// imports as follow-up targets with the oracle stored beside them.
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_RISK_VIEWS, generateDemoRiskDataset, renderRiskView, type DemoRiskResult } from "./demo-risk.ts";
import { buildDatasetTable, buildImportReport } from "./manifest-import.ts";
import { readManifestColumns } from "./manifest-read.ts";

const root = mkdtempSync(join(tmpdir(), "demo-risk-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let full: DemoRiskResult;
beforeAll(async () => {
  full = await generateDemoRiskDataset({ outDir: join(root, "full") });
}, 120_000);

const readCsv = (file: string) => readFileSync(file, "utf8").trim().split("\n").map((l) => l.split(","));
const digest = (dir: string) => {
  const h = createHash("sha256");
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest("hex");
};

/** Harrell's C: over pairs where the earlier time is an event, the share whose risk is higher (ties 1/2). */
function harrell(cases: { time: number; event: number; risk: number }[]): number {
  let concordant = 0, comparable = 0;
  for (const a of cases) {
    if (!a.event) continue;
    for (const b of cases) {
      if (!(a.time < b.time)) continue;
      comparable++;
      concordant += a.risk > b.risk ? 1 : a.risk === b.risk ? 0.5 : 0;
    }
  }
  return concordant / comparable;
}

describe("generateDemoRiskDataset", () => {
  it("is deterministic from the seed: same manifest, oracle and image bytes; another seed differs", async () => {
    const a = await generateDemoRiskDataset({ outDir: join(root, "a"), patients: 30, seed: 5 });
    const b = await generateDemoRiskDataset({ outDir: join(root, "b"), patients: 30, seed: 5 });
    const c = await generateDemoRiskDataset({ outDir: join(root, "c"), patients: 30, seed: 6 });
    expect(readFileSync(a.manifest, "utf8")).toBe(readFileSync(b.manifest, "utf8"));
    expect(a.oracle).toEqual(b.oracle);
    expect(digest(a.imagesDir)).toBe(digest(b.imagesDir));
    expect(readFileSync(c.manifest, "utf8")).not.toBe(readFileSync(a.manifest, "utf8"));
  });

  it("about 800 patients of one or two exams of four 64 px views; about 5% of exams lack one view", () => {
    expect(full.patients).toBe(800);
    expect(full.exams).toBeGreaterThan(1000);
    expect(full.exams).toBeLessThan(1600);
    const rows = readCsv(full.manifest);
    expect(rows[0]).toEqual(["image_id", "patient_id", "exam_id", "view", "age", "density", "followup_years", "event"]);
    expect(rows.length - 1).toBe(full.images);
    expect(readdirSync(full.imagesDir)).toHaveLength(full.images);
    expect(full.images).toBe(4 * full.exams - full.examsMissingView);
    expect(full.examsMissingView / full.exams).toBeGreaterThan(0.02);
    expect(full.examsMissingView / full.exams).toBeLessThan(0.09);
    for (const c of full.cases) expect(c.views.length).toBeGreaterThanOrEqual(3);
    expect(new Set(rows.slice(1).map((r) => r[3]))).toEqual(new Set(DEMO_RISK_VIEWS));
    const perPatient = new Map<string, number>();
    for (const c of full.cases) perPatient.set(c.patient, (perPatient.get(c.patient) ?? 0) + 1);
    expect(Math.max(...perPatient.values())).toBe(2);
    // the truth is not a column of the manifest
    expect(rows[0].join(",")).not.toMatch(/hazard|oracle|risk/);
  });

  it("follow-up within 8 years, 15-25% events within 5 years, censoring spread over the years", () => {
    for (const c of full.cases) {
      expect(c.time).toBeGreaterThan(0);
      expect(c.time).toBeLessThanOrEqual(8);
    }
    const within5 = full.cases.filter((c) => c.event && c.time <= 5).length / full.exams;
    expect(within5).toBeGreaterThan(0.15);
    expect(within5).toBeLessThan(0.25);
    const censored = full.cases.filter((c) => !c.event);
    expect(censored.filter((c) => c.time > 5).length).toBeGreaterThan(0.2 * censored.length);
    expect(censored.filter((c) => c.time < 3).length).toBeGreaterThan(0.15 * censored.length);
  });

  it("the true log-hazard orders the event times: Harrell's C well above 0.5", () => {
    const c = harrell(full.cases.map((x) => ({ time: x.time, event: x.event, risk: x.logHazard })));
    expect(c).toBeGreaterThan(0.65);
    // and against shuffled risks it is chance
    const shuffled = harrell(full.cases.map((x, i) => ({ time: x.time, event: x.event, risk: full.cases[(i * 7919) % full.cases.length].logHazard })));
    expect(Math.abs(shuffled - 0.5)).toBeLessThan(0.08);
  });

  it("imports as follow-up targets of four views per exam, with the oracle beside them and not as metadata", async () => {
    const m = await readManifestColumns(full.manifest);
    const built = buildDatasetTable(m, { imageCol: "image_id", groupCol: "patient_id", caseCol: "exam_id", viewCol: "view", timeCol: "followup_years", eventCol: "event", survivalOracle: full.oracle });
    const s = built.table.survival!;
    expect(s.viewNames).toEqual([...DEMO_RISK_VIEWS].sort());
    expect(built.table.features.map((f) => f.name).sort()).toEqual(["age", "density"]);
    expect(s.oracle!.every((v, i) => v === full.oracle[s.cases[i]])).toBe(true);
    const r = buildImportReport(m, built, { missingRows: [], unreadableRows: [] }).survival!;
    expect(r.cases).toBe(full.exams);
    expect(r.events).toBe(full.events);
    expect(r.casesMissingView).toBe(full.examsMissingView);
    expect(Object.keys(r.followupHistogram).at(-1)).toBe("7-8");
  });
});

describe("renderRiskView", () => {
  const params = { density: 1, scale: 1, lesion: null };
  it("puts the chest wall on the breast's side: right edge for left views, left edge for right views", () => {
    const column = (px: Buffer, x: number) => {
      let s = 0;
      for (let y = 0; y < 64; y++) s += px[3 * (y * 64 + x)];
      return s / 64;
    };
    for (const view of DEMO_RISK_VIEWS) {
      const px = renderRiskView(64, view, params, 9);
      const [wall, far] = view.startsWith("L") ? [63, 0] : [0, 63];
      expect(column(px, wall), view).toBeGreaterThan(column(px, far) + 20);
    }
  });
  it("a lesion adds light inside the breast, the rest of the image unchanged", () => {
    const plain = renderRiskView(64, "L-MLO", params, 4);
    const lesion = renderRiskView(64, "L-MLO", { ...params, lesion: { side: "L", radius: 0.08, contrast: 60 } }, 4);
    let changed = 0, added = 0;
    for (let i = 0; i < plain.length; i += 3)
      if (plain[i] !== lesion[i]) {
        changed++;
        added += lesion[i] - plain[i];
      }
    expect(changed).toBeGreaterThan(40);
    expect(changed).toBeLessThan(120);
    expect(added / changed).toBeGreaterThan(15);
  });
});
