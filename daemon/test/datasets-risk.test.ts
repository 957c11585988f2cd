// Follow-up targets through the real daemon and CLI: `dataset import --time-col --event-col --view-col
// --case-col` (years, or two date columns), the report's follow-up summary in the CLI and on the datasets
// router, bad values refused with their line and nothing imported, the task-fit refusals both ways, a risk
// run's prepared arrays (views.npy, survival.npy, spec.json's views) and prepare log, the dry run in exams,
// and `trainyard demo --task risk`: demo-risk with its oracle, accepted for risk and refused for multilabel.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeNpyFloat32, decodeNpyInts, readCacheIndex, readDatasetTable } from "@trainyard/data";
import { demoRiskImageSize } from "../src/datasets/demo.ts";
import { FAKE_TRAINER_ENV, startDaemon, waitUntil, type DaemonProcess } from "./daemon-process.ts";

let d: DaemonProcess;
let fx: string;
const VIEWS = ["L-CC", "L-MLO", "R-CC", "R-MLO"];
const PATIENTS = 24;
/** Exams: patient p has e1, and e2 when p % 3 == 0; P5's e1 lacks R-MLO. Event when p % 4 == 0. */
const EXAMS = Array.from({ length: PATIENTS }, (_, p) => (p % 3 ? [1] : [1, 2]).map((k) => ({ p, k, id: `P${p}_e${k}`, years: 1.5 + (p % 5) - (k - 1) * 0.5, event: p % 4 === 0 ? 1 : 0 }))).flat();
const present = (e: (typeof EXAMS)[number]) => VIEWS.filter((v) => !(e.p === 5 && e.k === 1 && v === "R-MLO"));
const IMAGES = EXAMS.reduce((s, e) => s + present(e).length, 0);

beforeAll(async () => {
  d = await startDaemon({ env: FAKE_TRAINER_ENV });
  fx = join(d.home, "fixture");
  mkdirSync(join(fx, "img"), { recursive: true });
  const years = ["image_id,patient_id,exam_id,view,years,event,age"];
  const dates = ["image_id,patient_id,exam_id,view,exam_date,end_date,diagnosed,age"];
  for (const e of EXAMS)
    for (const v of present(e)) {
      const id = `${e.id}_${v}.png`;
      await sharp({ create: { width: 20, height: 16, channels: 3, background: { r: 10 * e.p, g: 80, b: 40 * VIEWS.indexOf(v) } } }).png().toFile(join(fx, "img", id));
      years.push([id, `P${e.p}`, e.id, v, e.years, e.event, 40 + e.p].join(","));
      // the same follow-up as a date range: 2020-01-01 plus the years in days
      const end = new Date(Date.UTC(2020, 0, 1) + Math.round(e.years * 365.25) * 86_400_000).toISOString().slice(0, 10);
      dates.push([id, `P${e.p}`, e.id, v, "2020-01-01", end, e.event ? "yes" : "no", 40 + e.p].join(","));
    }
  writeFileSync(join(fx, "years.csv"), years.join("\n") + "\n");
  writeFileSync(join(fx, "dates.csv"), dates.join("\n") + "\n");
  // a classification dataset: the same images with a diagnosis
  writeFileSync(join(fx, "labelled.csv"), years.map((l, i) => `${l},${i ? (i % 2 ? "mass" : "normal") : "dx"}`).join("\n") + "\n");
}, 120_000);
afterAll(async () => d?.stop());

const RISK_FLAGS = ["--group-col", "patient_id", "--case-col", "exam_id", "--view-col", "view", "--time-col", "years", "--event-col", "event"];
const imp = (name: string, manifest: string, flags: string[]) => d.cli(["dataset", "import", name, "--manifest", join(fx, manifest), "--images", join(fx, "img"), ...flags]);
const submit = (yaml: string) => {
  const f = join(fx, `cfg-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, yaml);
  return d.cli(["run", f, "--json"]);
};
const riskConfig = (dataset: string, extra = "") => `name: risk\ndataset: {name: ${dataset}, image_size: 16, labels: {set: all}, split: {train: 0.5, val: 0.25, test: 0.25}}\ntraining: {task: risk${extra}}\nmodel: {pretrained: none}\ntags: [steps=2]\n`;

describe("dataset import with follow-up targets", () => {
  it("imports exams of four views, prints the follow-up summary, and the router exposes it as survival", async () => {
    const res = await imp("risk", "years.csv", RISK_FLAGS);
    expect(res.code, res.stderr).toBe(0);
    const events = EXAMS.filter((e) => e.event).length;
    expect(res.stdout).toMatch(/columns: image image_id, group patient_id, label \(none\), case exam_id/);
    expect(res.stdout).toContain(`follow-up targets (time years, event event, view view, case exam_id): ${EXAMS.length} exams; ${events} events`);
    expect(res.stdout).toMatch(/follow-up years: min 1, p10 [\d.]+, p25 [\d.]+, median [\d.]+, p75 [\d.]+, p90 [\d.]+, max 5\.5/);
    expect(res.stdout).toMatch(/events per year: 0-1: 0, 1-2: \d+/);
    const n = EXAMS.length;
    expect(res.stdout).toContain(`views (4): L-CC ${n}, L-MLO ${n}, R-CC ${n}, R-MLO ${n - 1}; views per exam: 3: 1, 4: ${n - 1}`);
    expect(res.stdout).toMatch(/exams missing a view: 1 \(R-MLO 1\)/);
    // the follow-up columns are not metadata; age is
    expect(res.stdout).toMatch(/metadata \(encoded dimension 2\):\n\s+age\s+continuous/);
    const show = await d.cli(["dataset", "show", "risk"]);
    expect(show.stdout).toContain(`${EXAMS.length} exams; ${events} events`);

    const got = await d.client.datasets.get.query({ name: "risk" });
    expect(got.survival).toMatchObject({ cases: EXAMS.length, events, censored: EXAMS.length - events, casesMissingView: 1, missingByView: { "R-MLO": 1, "L-CC": 0 } });
    expect(got.boxes).toBeNull();
    const listed = (await d.client.datasets.list.query()).find((x) => x.name === "risk")!;
    expect(listed.survival?.cases).toBe(EXAMS.length);
    const t = readDatasetTable(join(d.home, "datasets", "risk"));
    expect(t.survival!.viewNames).toEqual(VIEWS);
    expect(t.survival!.oracle).toBeNull();
    expect(t.features.map((f) => f.name)).toEqual(["age"]);
    // cached letterboxed: a crop would cut tissue off a mammogram
    expect(t.cacheFit).toBe("pad");
  });

  it("--time-col START,END reads the follow-up from two date columns; the events as yes/no", async () => {
    const res = await imp("risk-dates", "dates.csv", [...RISK_FLAGS.slice(0, 6), "--time-col", "exam_date,end_date", "--event-col", "diagnosed"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("time exam_date to end_date, event diagnosed");
    const a = readDatasetTable(join(d.home, "datasets", "risk")).survival!;
    const b = readDatasetTable(join(d.home, "datasets", "risk-dates")).survival!;
    expect(b.event).toEqual(a.event);
    b.time.forEach((t, i) => expect(Math.abs(t - a.time[i])).toBeLessThan(1 / 365));
  });

  it("refuses bad values by line, column and value, and flags that need each other; imports nothing", async () => {
    const names = (await d.client.datasets.list.query()).map((x) => x.name);
    const before = readdirSync(join(d.home, "datasets")).sort();
    const lines = readFileSync(join(fx, "years.csv"), "utf8").trim().split("\n");
    const bad = (name: string, edit: (cells: string[][]) => void) => {
      const cells = lines.map((l) => l.split(","));
      edit(cells);
      writeFileSync(join(fx, name), cells.map((c) => c.join(",")).join("\n") + "\n");
      return name;
    };
    const cases: [string, string[], RegExp][] = [
      [bad("negative.csv", (c) => (c[3][4] = "-2")), RISK_FLAGS, /manifest line 4: column "years": follow-up "-2" is negative/],
      [bad("event.csv", (c) => (c[2][5] = "2")), RISK_FLAGS, /manifest line 3: column "event": "2" is not an event value; write 1 \(diagnosed\) or 0 \(censored\)/],
      [bad("disagree.csv", (c) => (c[2][4] = "9")), RISK_FLAGS, /manifest line 3: the rows of case "P0_e1" disagree: follow-up 1\.5 on manifest line 2 but 9 here/],
      [bad("twice.csv", (c) => (c[2][3] = "L-CC")), RISK_FLAGS, /case "P0_e1" has view "L-CC" twice/],
      ["years.csv", ["--group-col", "patient_id", "--time-col", "years"], /--time-col years needs --event-col C too/],
      ["years.csv", ["--group-col", "patient_id", "--event-col", "event"], /--event-col event needs --time-col C too/],
      ["years.csv", ["--group-col", "patient_id", "--view-col", "view", "--time-col", "years", "--event-col", "event"], /--view-col view needs --case-col C/],
    ];
    for (const [manifest, flags, pattern] of cases) {
      const res = await imp("broken", manifest, flags);
      expect(res.code, `${manifest} ${flags.join(" ")}`).toBe(1);
      expect(res.stderr, `${manifest} ${flags.join(" ")}`).toMatch(pattern);
    }
    // the daemon refuses the pairs too (a client other than this CLI)
    await expect(d.client.datasets.import.mutate({ name: "broken", manifest: join(fx, "years.csv"), images: join(fx, "img"), timeCol: "years" })).rejects.toThrow(/needs --event-col C too/);
    expect((await d.client.datasets.list.query()).map((x) => x.name)).toEqual(names);
    expect(readdirSync(join(d.home, "datasets")).sort()).toEqual(before);
  });
});

describe("risk runs and the task fit", () => {
  it("refuses risk without follow-up targets, and classification or detection on a follow-up-only dataset as before", async () => {
    const cls = await imp("labelled", "labelled.csv", ["--group-col", "patient_id", "--label-col", "dx"]);
    expect(cls.code, cls.stderr).toBe(0);
    const noTargets = await submit(riskConfig("labelled"));
    expect(noTargets.code).toBe(1);
    expect(noTargets.stderr).toContain(
      'training.task: dataset "labelled" has no follow-up targets; re-import it with --time-col C --event-col C (and --case-col C --view-col C for exams of several views)',
    );
    const multilabel = await submit("name: cls\ndataset: {name: risk, image_size: 16, labels: {set: all}}\nmodel: {pretrained: none}\n");
    expect(multilabel.code).toBe(1);
    expect(multilabel.stderr).toMatch(/training\.task: dataset "risk" has no diagnoses \(no image has a label\)/);
    const detection = await submit("name: det\ndataset: {name: risk, image_size: 16, labels: {set: all}}\ntraining: {task: detection}\nmodel: {pretrained: none}\n");
    expect(detection.stderr).toMatch(/training\.task: dataset "risk" has no boxes; re-import it with --boxes F/);
    expect((await d.client.runs.list.query()).length).toBe(0);
  });

  it("a risk run gets views.npy, survival.npy and spec.json's views; a label set is refused, not ignored", async () => {
    // risk's one class is the event: a label set would select nothing, so it is refused with how to fix it
    const refused = await submit(riskConfig("risk", ", risk: {missing_views: allow}").replace("set: all", "set: [nothing]"));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("dataset.labels.set: training.task risk predicts the follow-up event, not diagnoses");
    const sub = await submit(riskConfig("risk", ", risk: {missing_views: allow}"));
    expect(sub.code, sub.stderr).toBe(0);
    const id = JSON.parse(sub.stdout).id;
    const specPath = join(d.home, "runs", id, "spec.json");
    await waitUntil(async () => existsSync(specPath), 60_000, "the risk run's spec.json");
    const spec = JSON.parse(readFileSync(specPath, "utf8"));
    expect(spec.classes).toEqual(["event"]);
    expect(spec.views).toEqual(VIEWS);
    expect(spec.data.oracle).toBeNull();
    const views = decodeNpyInts(readFileSync(spec.data.views));
    const survival = decodeNpyFloat32(readFileSync(spec.data.survival));
    const rows = decodeNpyInts(readFileSync(spec.data.rows));
    expect(rows.length).toBe(EXAMS.length); // allow: the exam missing R-MLO stays
    expect(views.length).toBe(4 * EXAMS.length);
    expect(survival.shape).toEqual([EXAMS.length, 2]);
    expect(Array.from(views).filter((r) => r < 0)).toHaveLength(1);
    const index = readCacheIndex(join(d.home, "cache", "risk", "16"))!;
    expect(index.count).toBe(IMAGES);
    const t = readDatasetTable(join(d.home, "datasets", "risk"));
    for (let j = 0; j < rows.length; j++) {
      for (let k = 0; k < 4; k++) {
        const r = views[4 * j + k];
        if (r < 0) continue;
        const i = index.rows.indexOf(r);
        expect(t.survival!.views![i]).toBe(VIEWS[k]);
        expect(t.survival!.time[i]).toBeCloseTo(survival.data[2 * j], 5);
      }
    }
    const targets = decodeNpyFloat32(readFileSync(spec.data.targets));
    expect(Array.from(targets.data)).toEqual(Array.from({ length: rows.length }, (_, j) => survival.data[2 * j + 1]));
    const logs = (await d.client.runs.logs.query({ id, limit: 2000 })).map((l) => l.message).join("\n");
    expect(logs).toContain(`exams: ${EXAMS.length} of 4 views (L-CC, L-MLO, R-CC, R-MLO)`);
    expect(logs).toContain("kept with missing views masked (training.risk.missing_views: allow): 1 exams; missing R-MLO 1");
    expect(logs).toMatch(/events \/ censored: train \d+\/\d+, val \d+\/\d+, test \d+\/\d+/);
  });

  it("the dry run counts exams and events per split, and the exams drop leaves out", async () => {
    writeFileSync(join(fx, "dry-risk.yaml"), riskConfig("risk"));
    const dry = await d.cli(["run", join(fx, "dry-risk.yaml"), "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`risk on risk at 16px (cache ready): ${EXAMS.length - 1} exams of 4 views (L-CC, L-MLO, R-CC, R-MLO)`);
    // P5's exam, the one lacking a view, has no event: every event is still there
    expect(dry.stdout).toMatch(new RegExp(`^event\\s+\\d+\\s+\\d+\\s+\\d+\\s+${EXAMS.filter((e) => e.event).length}$`, "m"));
    expect(dry.stdout).toContain("missing views (drop): 1 exams left out; missing R-MLO 1");
  });
});

describe("trainyard demo --task risk", () => {
  it("imports demo-risk with its oracle (not a column), warms its cache; risk fits, multilabel is refused", { timeout: 300_000 }, async () => {
    const res = await d.cli(["demo", "--task", "risk"]);
    expect(res.code, res.stderr).toBe(0);
    const m = res.stdout.match(/dataset "demo-risk": (\d+) exams of (\d+) patients \((\d+) images, views L-CC, L-MLO, R-CC, R-MLO\); (\d+) events, (\d+) censored/);
    expect(m, res.stdout).not.toBeNull();
    const [exams, patients, images] = m!.slice(1).map(Number);
    expect(patients).toBe(800);
    expect(exams).toBeGreaterThan(1000);
    const size = demoRiskImageSize();
    expect(res.stdout).toContain(`image cache warmed at ${size} px`);
    expect(readCacheIndex(join(d.home, "cache", "demo-risk", String(size)))?.count).toBe(images);

    const table = readDatasetTable(join(d.home, "datasets", "demo-risk"));
    const s = table.survival!;
    expect(s.viewNames).toEqual(VIEWS);
    expect(table.features.map((f) => f.name).sort()).toEqual(["age", "density"]);
    // the stored oracle is the generator's truth, per exam
    const oracle = new Map(readFileSync(join(d.home, "demo-risk-source", "oracle.csv"), "utf8").trim().split("\n").slice(1).map((l) => [l.split(",")[0], Number(l.split(",")[1])]));
    expect(s.oracle!.every((v, i) => v === oracle.get(s.cases[i]))).toBe(true);
    expect(readFileSync(join(d.home, "demo-risk-source", "manifest.csv"), "utf8").split("\n")[0]).not.toMatch(/hazard|oracle/);

    const risk = await submit(riskConfig("demo-risk").replace("image_size: 16", `image_size: ${size}`));
    expect(risk.code, risk.stderr).toBe(0);
    const specPath = join(d.home, "runs", JSON.parse(risk.stdout).id, "spec.json");
    await waitUntil(async () => existsSync(specPath), 60_000, "the demo risk run's spec.json");
    const spec = JSON.parse(readFileSync(specPath, "utf8"));
    const oracleNpy = decodeNpyFloat32(readFileSync(spec.data.oracle));
    expect(oracleNpy.shape).toEqual([spec.counts.train.total + spec.counts.val.total + spec.counts.test.total]);
    const multilabel = await submit(`name: ml\ndataset: {name: demo-risk, image_size: ${size}, labels: {set: all}}\nmodel: {pretrained: none}\n`);
    expect(multilabel.code).toBe(1);
    expect(multilabel.stderr).toMatch(/training\.task: dataset "demo-risk" has no diagnoses/);
  });
});
