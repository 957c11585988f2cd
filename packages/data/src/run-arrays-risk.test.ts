// Run arrays for risk: one sample per exam, its views in viewNames order with -1 for a missing one,
// drop vs allow, unusable images as missing views, metadata from the first present view, survival and
// oracle columns, a patient-level split stratified by event, and a case-level subsample of whole patients.
import { loadConfig } from "@trainyard/config";
import { describe, expect, it } from "vitest";
import { parseCsvColumns } from "./csv-columns.ts";
import { buildDatasetTable } from "./manifest-import.ts";
import { encodeMetadata } from "./metadata-encoder.ts";
import { compileRiskCases, prepareRiskArrays, selectRiskCases } from "./run-arrays-risk.ts";
import { prepareRunArrays, RunArraysError } from "./run-arrays.ts";
import { SPLIT_CODES } from "./split.ts";

const VIEWS = ["R-MLO", "L-CC", "R-CC", "L-MLO"]; // manifest order; the slots are sorted
const SORTED = ["L-CC", "L-MLO", "R-CC", "R-MLO"];
const PATIENTS = 120;

/** Patient p has exams e1 (and e2 for odd p); exam k of patient p misses view (p + k) % 4 when p % 7 == 0. */
function manifest() {
  const lines = ["image_id,patient_id,exam_id,view,years,event,age,site"];
  const oracle: Record<string, number> = {};
  for (let p = 0; p < PATIENTS; p++)
    for (let k = 1; k <= (p % 2 ? 2 : 1); k++) {
      const exam = `P${p}_e${k}`;
      const event = (p * 7 + k) % 5 === 0 ? 1 : 0;
      oracle[exam] = p / 10 + k;
      VIEWS.forEach((v, vi) => {
        if (p % 7 === 0 && (p + k) % 4 === vi) return;
        // age differs per view row, so metadata read from another view would show
        lines.push([`${exam}_${v}.png`, `P${p}`, exam, v, (1 + ((p + k) % 6)).toFixed(2), event, 40 + p / 4 + vi, p % 3 ? "a" : "b"].join(","));
      });
    }
  return { m: { format: "csv" as const, ...parseCsvColumns(lines.join("\n") + "\n") }, oracle };
}
const { m, oracle } = manifest();
const { table } = buildDatasetTable(m, { imageCol: "image_id", groupCol: "patient_id", caseCol: "exam_id", viewCol: "view", timeCol: "years", eventCol: "event", survivalOracle: oracle });
const n = table.imageIds.length;
// cache rows are the table rows shifted by 1000 (to tell them apart); image 5 could not be decoded
const UNREADABLE = 5;
const cacheRows = Int32Array.from({ length: n }, (_, i) => (i === UNREADABLE ? -1 : 1000 + i));
const config = (risk = "{}", extra = "") =>
  loadConfig(`name: r\ndataset: {name: d, image_size: 64, labels: {set: all}, split: {train: 0.6, val: 0.2, test: 0.2, seed: 3}${extra}}\ntraining: {task: risk, risk: ${risk}}\n`);

const caseOfImage = (i: number) => table.survival!.cases[i];
const groupOfCase = new Map(table.survival!.cases.map((c, i) => [c, table.groups[i]]));

describe("prepareRunArrays for risk", () => {
  it("one sample per exam; view slots in sorted view order, each the cache row of that view's image", () => {
    const a = prepareRunArrays({ table, config: config("{missing_views: allow}"), labels: [], cacheRows });
    expect(a.classes).toEqual(["event"]);
    expect(a.viewNames).toEqual(SORTED);
    const samples = a.split.length;
    const exams = new Set(table.survival!.cases).size;
    expect(samples).toBe(exams); // allow: every exam has at least one usable image
    const V = 4;
    expect(a.views).toHaveLength(samples * V);
    const byCase = new Map<string, Map<string, number>>();
    table.imageIds.forEach((_, i) => {
      const c = caseOfImage(i);
      if (!byCase.has(c)) byCase.set(c, new Map());
      byCase.get(c)!.set(table.survival!.views![i], i);
    });
    const seen = new Set<string>();
    let minusOnes = 0;
    for (let j = 0; j < samples; j++) {
      // the sample's case, from any present slot
      const slots = Array.from(a.views!.subarray(j * V, j * V + V), Number);
      const any = slots.find((r) => r >= 0)!;
      const c = caseOfImage(any - 1000);
      expect(seen.has(c)).toBe(false);
      seen.add(c);
      SORTED.forEach((v, k) => {
        const i = byCase.get(c)!.get(v);
        const want = i === undefined || i === UNREADABLE ? -1 : 1000 + i;
        expect(slots[k], `${c} ${v}`).toBe(want);
        if (want < 0) minusOnes++;
      });
      // rows: the first present view in slot order
      expect(Number(a.rows[j])).toBe(slots.find((r) => r >= 0));
      // survival, targets and oracle of the case
      const i = any - 1000;
      expect(a.survival![2 * j]).toBeCloseTo(table.survival!.time[i], 6);
      expect(a.survival![2 * j + 1]).toBe(table.survival!.event[i]);
      expect(a.targets[j]).toBe(table.survival!.event[i]);
      expect(a.oracle![j]).toBeCloseTo(oracle[c], 5);
    }
    // every 7th patient misses a view, and the unreadable image is one more missing slot
    expect(minusOnes).toBe(new Set([...byCase.keys()].filter((c) => byCase.get(c)!.size < 4)).size + 1);
    expect(a.risk!.missingViews.policy).toBe("allow");
    expect(a.risk!.leftOut).toEqual({ noImage: 0, missingViews: 0, subsample: 0 });
    // exams are in table order (not events first)
    const order = Array.from({ length: samples }, (_, j) => caseOfImage(Number(a.rows[j]) - 1000));
    const firstSeen = [...new Set(table.survival!.cases)];
    expect(order).toEqual(firstSeen);
  });

  it("drop leaves out the exams lacking a view (counted by view); allow keeps them with -1 slots", () => {
    const allow = prepareRunArrays({ table, config: config("{missing_views: allow}"), labels: [], cacheRows });
    const drop = prepareRunArrays({ table, config: config(), labels: [], cacheRows });
    const lacking = allow.risk!.missingViews.cases;
    expect(lacking).toBeGreaterThan(5);
    expect(drop.split.length).toBe(allow.split.length - lacking);
    expect(drop.risk!.leftOut.missingViews).toBe(lacking);
    expect(Array.from(drop.views!).every((r) => r >= 0n)).toBe(true);
    const byView = drop.risk!.missingViews.byView;
    expect(Object.keys(byView)).toEqual(SORTED);
    expect(Object.values(byView).reduce((s, x) => s + x, 0)).toBe(lacking);
    // the unreadable image's view is counted where it was lost
    const lostView = table.survival!.views![UNREADABLE];
    expect(byView[lostView]).toBeGreaterThanOrEqual(1);
  });

  it("an exam without any usable image is always left out", () => {
    const exam = caseOfImage(0);
    const rows = table.imageIds.map((_, i) => i).filter((i) => caseOfImage(i) === exam);
    const blind = Int32Array.from(cacheRows, (r, i) => (rows.includes(i) ? -1 : r));
    const a = prepareRunArrays({ table, config: config("{missing_views: allow}"), labels: [], cacheRows: blind });
    expect(a.risk!.leftOut.noImage).toBe(1);
    const excluded = prepareRunArrays({ table: { ...table, excluded: rows }, config: config("{missing_views: allow}"), labels: [], cacheRows });
    expect(excluded.risk!.leftOut.noImage).toBe(1);
    expect(excluded.split.length).toBe(a.split.length);
  });

  it("metadata comes from the exam's first present view (encoder fit on train exams)", () => {
    const a = prepareRunArrays({ table, config: config("{missing_views: allow}"), labels: [], cacheRows });
    const D = a.encoder!.dim;
    expect(D).toBeGreaterThan(1);
    for (let j = 0; j < a.split.length; j++) {
      const first = Number(a.rows[j]) - 1000;
      expect(Array.from(a.metadata!.subarray(j * D, j * D + D))).toEqual(Array.from(encodeMetadata(a.encoder!, table.metadata, [first])));
    }
    const off = prepareRunArrays({ table, config: loadConfig("name: r\ndataset: {name: d, labels: {set: all}}\ntraining: {task: risk}\nmodel: {metadata: {enabled: false}}\n"), labels: [], cacheRows });
    expect(off.metadata).toBeNull();
  });

  it("splits by patient (no patient in two splits), stratified by event", () => {
    const a = prepareRunArrays({ table, config: config("{missing_views: allow}"), labels: [], cacheRows });
    const splitOfPatient = new Map<string, number>();
    for (let j = 0; j < a.split.length; j++) {
      const g = groupOfCase.get(caseOfImage(Number(a.rows[j]) - 1000))!;
      if (splitOfPatient.has(g)) expect(splitOfPatient.get(g), g).toBe(a.split[j]);
      splitOfPatient.set(g, a.split[j]);
    }
    expect(splitOfPatient.size).toBe(PATIENTS);
    const c = a.counts;
    const total = c.train.total + c.val.total + c.test.total;
    expect(total).toBe(a.split.length);
    const events = (s: "train" | "val" | "test") => c[s].perClass.event;
    expect(events("train") + events("val") + events("test")).toBe(Array.from(a.targets).reduce((x, y) => x + y, 0));
    // patients with an event spread over the splits like the others (60 / 20 / 20, within a patient or two)
    const eventPatients = new Set<string>();
    for (let j = 0; j < a.split.length; j++) if (a.targets[j]) eventPatients.add(groupOfCase.get(caseOfImage(Number(a.rows[j]) - 1000))!);
    const inSplit = (s: number) => [...eventPatients].filter((g) => splitOfPatient.get(g) === s).length;
    expect(Math.abs(inSplit(SPLIT_CODES.val) - 0.2 * eventPatients.size)).toBeLessThanOrEqual(1);
    expect(Math.abs(inSplit(SPLIT_CODES.test) - 0.2 * eventPatients.size)).toBeLessThanOrEqual(1);
    expect(a.risk!.events.train).toEqual({ events: events("train"), censored: c.train.total - events("train") });
  });

  it("subsamples whole patients at exam level; the preview's selection gives the same split", () => {
    const a = prepareRunArrays({ table, config: config("{missing_views: allow}", ", subsample: {fraction: 0.5}"), labels: [], cacheRows });
    const patients = new Set(Array.from({ length: a.split.length }, (_, j) => groupOfCase.get(caseOfImage(Number(a.rows[j]) - 1000))));
    expect(patients.size).toBe(60);
    expect(a.risk!.leftOut.subsample).toBeGreaterThan(50);
    // every exam of a kept patient is kept
    const kept = new Set(Array.from({ length: a.split.length }, (_, j) => caseOfImage(Number(a.rows[j]) - 1000)));
    for (const [c, g] of groupOfCase) if (patients.has(g)) expect(kept.has(c), c).toBe(true);
    const sel = selectRiskCases(compileRiskCases(table), {
      split: { by: "patient", train: 0.6, val: 0.2, test: 0.2, seed: 3, stratified: true }, subsampleFraction: 0.5, missingViews: "allow",
      usable: Uint8Array.from(cacheRows, (r) => (r >= 0 ? 1 : 0)),
    });
    expect(Array.from(sel.split)).toEqual(Array.from(a.split));
    expect(sel.counts).toEqual(a.counts);
  });

  it("a dataset without follow-up targets is refused with how to re-import it", () => {
    expect(() => prepareRiskArrays({ table: { ...table, survival: null }, config: config(), cacheRows })).toThrow(RunArraysError);
    expect(() => prepareRunArrays({ table: { ...table, survival: null }, config: config(), labels: [], cacheRows })).toThrow(/no follow-up targets; re-import it with --time-col C --event-col C/);
  });

  it("a classification run on the same table is unchanged and has no risk arrays", () => {
    const cls = loadConfig("name: c\ndataset: {name: d, labels: {set: [a]}}\n");
    const { table: labelled } = buildDatasetTable(m, { imageCol: "image_id", groupCol: "patient_id", caseCol: "exam_id", viewCol: "view", timeCol: "years", eventCol: "event", labelCol: "site" });
    const a = prepareRunArrays({ table: labelled, config: cls, labels: ["a"], cacheRows });
    expect(a.views).toBeNull();
    expect(a.survival).toBeNull();
    expect(a.risk).toBeNull();
    expect(a.classes).toEqual(["a", "other"]);
  });
});
