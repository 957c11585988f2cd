// Follow-up targets at import: parsing (years, two dates, event spellings, views per case), every bad
// value refused by line, column and value, and the report's figures on a small manifest checked by hand.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { parseCsvColumns } from "./csv-columns.ts";
import { readDatasetTable, writeDatasetTable, type DatasetTable } from "./dataset-table.ts";
import { buildDatasetTable, buildImportReport, type ManifestOptions } from "./manifest-import.ts";
import { ManifestError, readManifestColumns, type ManifestColumns } from "./manifest-read.ts";
import { DAYS_PER_YEAR, parseDateDays, parseEvent, quantileSorted } from "./survival-targets.ts";

const csv = (lines: string[]): ManifestColumns => ({ format: "csv", ...parseCsvColumns(lines.join("\n") + "\n") });
const RISK: ManifestOptions = { imageCol: "image_id", groupCol: "patient_id", caseCol: "exam", viewCol: "view", timeCol: "years", eventCol: "event" };
const HEADER = "image_id,patient_id,exam,view,years,event,age";
const build = (lines: string[], opts: ManifestOptions = RISK) => buildDatasetTable(csv([HEADER, ...lines]), opts);
const refused = (lines: string[], opts: ManifestOptions = RISK) => {
  try {
    build(lines, opts);
  } catch (e) {
    if (e instanceof ManifestError) return e.message;
    throw e;
  }
  throw new Error("the manifest was accepted");
};

/** The hand-checked manifest: five exams of four patients; d2.png will be missing on disk. */
const SMALL = [
  "a1.png,P1,E1,L-CC,0.5,1,50",
  "a2.png,P1,E1,R-CC,0.5,1,50",
  "b1.png,P2,E2,L-CC,2.5,0,60",
  "b2.png,P2,E2,R-CC,2.5,0,60",
  "c1.png,P2,E3,L-CC,1.0,0,61",
  "d1.png,P3,E4,L-CC,4.0,1,70",
  "d2.png,P3,E4,R-CC,4.0,1,70",
  "e1.png,P4,E5,R-CC,3.2,0,55",
];

describe("follow-up targets: parsing", () => {
  it("stores cases, views, years and events per image; the target columns are not metadata", () => {
    const { table, columns } = build(SMALL);
    const s = table.survival!;
    expect(s.cases).toEqual(["E1", "E1", "E2", "E2", "E3", "E4", "E4", "E5"]);
    expect(s.views).toEqual(["L-CC", "R-CC", "L-CC", "R-CC", "L-CC", "L-CC", "R-CC", "R-CC"]);
    expect(s.viewNames).toEqual(["L-CC", "R-CC"]);
    expect(s.time).toEqual([0.5, 0.5, 2.5, 2.5, 1, 4, 4, 3.2]);
    expect(s.event).toEqual([1, 1, 0, 0, 0, 1, 1, 0]);
    expect(s.oracle).toBeNull();
    expect(columns.metadata).toEqual(["age"]);
    expect(columns.label).toBeNull();
    expect(table.features.map((f) => f.name)).toEqual(["age"]);
    expect(table.diagnoses.every((d) => d.length === 0)).toBe(true);
  });

  it("reads follow-up from two date columns as days / 365.25, and the event as 1/0, true/false, yes/no", () => {
    const m = csv([
      "image_id,patient_id,exam_date,last_date,dx_event",
      "a.png,P1,2020-01-01,2021-01-01,yes",
      "b.png,P2,2019-03-27,2019-03-28T12:00:00Z,TRUE",
      "c.png,P3,2018-06-30,2020-06-30,no",
      "d.png,P4,2018-06-30,2018-06-30,false",
      "e.png,P5,2018-06-30,2023-06-30,0",
      "f.png,P6,2018-06-30,2019-06-30,1.0",
    ]);
    const { table, columns } = buildDatasetTable(m, { timeCol: "exam_date,last_date", eventCol: "dx_event" });
    const s = table.survival!;
    expect(s.time[0]).toBeCloseTo(366 / DAYS_PER_YEAR, 12);
    expect(s.time[1]).toBeCloseTo(1.5 / DAYS_PER_YEAR, 12);
    expect(s.time[2]).toBeCloseTo(731 / DAYS_PER_YEAR, 12);
    expect(s.time[3]).toBe(0);
    expect(s.event).toEqual([1, 1, 0, 0, 0, 1]);
    // without --view-col and --case-col: each image its own exam, one view slot
    expect(s.views).toBeNull();
    expect(s.viewNames).toEqual(["image"]);
    expect(s.cases).toEqual(["image:a.png", "image:b.png", "image:c.png", "image:d.png", "image:e.png", "image:f.png"]);
    expect(columns.metadata).toEqual([]);
  });

  it("the event and date parsers", () => {
    expect(["1", "0", "True", "no", "Y", "n", "1.0", "0.00"].map(parseEvent)).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
    expect(["2", "-1", "0.5", "event", "", null].map(parseEvent)).toEqual([null, null, null, null, null, null]);
    expect(parseDateDays("1970-01-02")).toBe(1);
    expect(parseDateDays("2020-02-29")).not.toBeNull();
    expect(["2021-02-29", "2020-13-01", "03/27/2019", "2019-3-7", "yesterday"].map(parseDateDays)).toEqual([null, null, null, null, null]);
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
  });

  it("merged rows of one image are fine when they agree; a known oracle is stored per row", () => {
    const { table } = build([...SMALL, "a1.png,P1,E1,L-CC,0.5,1,50"], { ...RISK, survivalOracle: { E1: 1, E2: 2, E3: 3, E4: 4, E5: 5 } });
    expect(table.imageIds).toHaveLength(8);
    expect(table.survival!.oracle).toEqual([1, 1, 2, 2, 3, 4, 4, 5]);
  });

  it("reads Parquet: timestamps as dates, booleans as events, doubles as years; a bad row is named by its row", async () => {
    const dir = mkdtempSync(join(tmpdir(), "survival-parquet-"));
    try {
      const f = join(dir, "m.parquet");
      const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
      writeFileSync(f, Buffer.from(parquetWriteBuffer({
        columnData: [
          { name: "image_id", data: ["a.png", "b.png", "c.png"], type: "STRING" },
          { name: "patient_id", data: ["P1", "P2", "P3"], type: "STRING" },
          { name: "start", data: [day("2020-01-01"), day("2020-01-01"), day("2020-01-01")], type: "TIMESTAMP" },
          { name: "end", data: [day("2022-01-01"), day("2020-07-01"), day("2019-01-01")], type: "TIMESTAMP" },
          { name: "years", data: [2.5, 0.5, 1], type: "DOUBLE" },
          { name: "event", data: [true, false, false], type: "BOOLEAN" },
        ],
      })));
      const m = await readManifestColumns(f);
      const years = buildDatasetTable(m, { timeCol: "years", eventCol: "event" }).table.survival!;
      expect(years.time).toEqual([2.5, 0.5, 1]);
      expect(years.event).toEqual([1, 0, 0]);
      expect(() => buildDatasetTable(m, { timeCol: "start,end", eventCol: "event" })).toThrow(/^manifest row 3: columns "start", "end": the end date .* is before the start date/);
      const two = buildDatasetTable({ ...m, rows: 2, columns: m.columns.map((c) => c.slice(0, 2)) }, { timeCol: "start,end", eventCol: "event" }).table.survival!;
      expect(two.time[0]).toBeCloseTo(731 / DAYS_PER_YEAR, 12);
      expect(two.time[1]).toBeCloseTo(182 / DAYS_PER_YEAR, 12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an old table (before follow-up targets) reads as survival null", () => {
    const dir = mkdtempSync(join(tmpdir(), "survival-table-"));
    try {
      const { table } = build(SMALL);
      const { survival: _, ...old } = table;
      writeDatasetTable(dir, old as DatasetTable);
      expect(readDatasetTable(dir).survival).toBeNull();
      writeDatasetTable(dir, table);
      expect(readDatasetTable(dir).survival).toEqual(table.survival);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("follow-up targets: bad input is refused by line, column and value", () => {
  it("a negative follow-up", () => {
    expect(refused(["a1.png,P1,E1,L-CC,-1.5,0,50"])).toMatch(/manifest line 2: column "years": follow-up "-1\.5" is negative; .*fix the value/);
  });
  it("a missing follow-up, and one that is not a number", () => {
    expect(refused(["a1.png,P1,E1,L-CC,,0,50"])).toMatch(/manifest line 2: column "years" is empty; every exam needs its follow-up in years/);
    expect(refused(["a1.png,P1,E1,L-CC,3y,0,50"])).toMatch(/manifest line 2: column "years": "3y" is not a number of years; write the follow-up as a number/);
  });
  it("an event value other than 0 / 1, and a missing one", () => {
    expect(refused(["a1.png,P1,E1,L-CC,1,0,50", "a2.png,P1,E1,R-CC,1,2,50"])).toMatch(/manifest line 3: column "event": "2" is not an event value; write 1 \(diagnosed\) or 0 \(censored\)/);
    expect(refused(["a1.png,P1,E1,L-CC,1,,50"])).toMatch(/manifest line 2: column "event" is empty/);
  });
  it("an event at follow-up 0", () => {
    expect(refused(["a1.png,P1,E1,L-CC,0,1,50"])).toMatch(/manifest line 2: column "years": an event at follow-up 0 \(event "1"\); .*leave the exam out/);
    // censored at 0 is allowed (it adds nothing, but it is not wrong)
    expect(build(["a1.png,P1,E1,L-CC,0,0,50"]).table.survival!.time).toEqual([0]);
  });
  it("dates that do not parse, an end before the start, a missing date", () => {
    const opts = { timeCol: "start,end", eventCol: "event" };
    const dates = (row: string) => {
      try {
        buildDatasetTable(csv(["image_id,patient_id,start,end,event", row]), opts);
      } catch (e) {
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(dates("a.png,P1,2020-01-01,31/12/2021,0")).toMatch(/manifest line 2: column "end": "31\/12\/2021" is not a date; write dates as YYYY-MM-DD/);
    expect(dates("a.png,P1,2021-02-29,2022-01-01,0")).toMatch(/column "start": "2021-02-29" is not a date/);
    expect(dates("a.png,P1,2022-01-01,2021-01-01,0")).toMatch(/columns "start", "end": the end date 2021-01-01 is before the start date 2022-01-01 \(a negative follow-up\)/);
    expect(dates("a.png,P1,2022-01-01,,0")).toMatch(/column "end" is empty; every exam needs its end date/);
  });
  it("a case whose rows disagree on the follow-up or the event", () => {
    expect(refused(["a1.png,P1,E1,L-CC,0.5,1,50", "a2.png,P1,E1,R-CC,0.7,1,50"])).toMatch(
      /manifest line 3: the rows of case "E1" disagree: follow-up 0\.5 on manifest line 2 but 0\.7 here \(column "years"\); the views of an exam share its follow-up and event/,
    );
    expect(refused(["a1.png,P1,E1,L-CC,0.5,1,50", "a2.png,P1,E1,R-CC,0.5,0,50"])).toMatch(/manifest line 3: the rows of case "E1" disagree: event 1 on manifest line 2 but 0 here \(column "event", "0"\)/);
  });
  it("the same view twice in a case", () => {
    expect(refused(["a1.png,P1,E1,L-CC,1,0,50", "a2.png,P1,E1,L-CC,1,0,50"])).toMatch(
      /manifest line 3: column "view": case "E1" has view "L-CC" twice \(image "a1\.png" on manifest line 2 and image "a2\.png" here\); each view of an exam is one image/,
    );
  });
  it("a missing view, an image given two views, a case of two patients, several images without a view column", () => {
    expect(refused(["a1.png,P1,E1,,1,0,50"])).toMatch(/manifest line 2: column "view" is empty/);
    expect(refused(["a1.png,P1,E1,L-CC,1,0,50", "a1.png,P1,E1,R-CC,1,0,50"])).toMatch(/manifest line 3: column "view": image "a1\.png" is view "L-CC" on manifest line 2 but "R-CC" here/);
    expect(refused(["a1.png,P1,E1,L-CC,1,0,50", "a2.png,P2,E1,R-CC,1,0,50"])).toMatch(/case "E1" has images of patient "P1" \(manifest line 2\) and of patient "P2" here/);
    expect(refused(["a1.png,P1,E1,L-CC,1,0,50", "a2.png,P1,E1,R-CC,1,0,50"], { ...RISK, viewCol: undefined })).toMatch(
      /case "E1" has several images \("a1\.png", "a2\.png"\) but nothing says which view each is; pass --view-col C/,
    );
  });
  it("options that need each other, and columns that are not there", () => {
    expect(refused(SMALL, { ...RISK, eventCol: undefined })).toMatch(/--time-col years needs --event-col C too/);
    expect(refused(SMALL, { ...RISK, timeCol: undefined })).toMatch(/--event-col event needs --time-col C too/);
    expect(refused(SMALL, { ...RISK, caseCol: undefined })).toMatch(/--view-col view needs --case-col C/);
    expect(refused(SMALL, { ...RISK, timeCol: "followup" })).toMatch(/follow-up column "followup" \(--time-col\) is not in the manifest; columns: image_id/);
    expect(refused(SMALL, { ...RISK, timeCol: "a,b,c" })).toMatch(/--time-col takes one column of years, or two date columns START,END/);
  });
  it("lists several problems at once, naming each line", () => {
    const msg = refused(["a1.png,P1,E1,L-CC,-1,0,50", "b1.png,P2,E2,L-CC,1,maybe,50", "c1.png,P3,E3,L-CC,,0,50"]);
    expect(msg).toMatch(/^3 problems with the follow-up targets: manifest line 2: .*; manifest line 3: .*"maybe".*; manifest line 4: /);
  });
});

describe("follow-up targets: the report", () => {
  it("gives the hand-checked figures over the usable images", () => {
    const m = csv([HEADER, ...SMALL]);
    const built = buildDatasetTable(m, RISK);
    const r = buildImportReport(m, built, { missingRows: [6], unreadableRows: [] }).survival!;
    expect(r).toEqual({
      columns: { time: ["years"], event: "event", view: "view", case: "exam" },
      cases: 5,
      casesWithoutImages: 0,
      events: 2,
      censored: 3,
      eventRate: 0.4,
      // sorted follow-up 0.5, 1, 2.5, 3.2, 4 (numpy's linear quantiles)
      followup: { min: 0.5, max: 4, mean: 2.24, median: 2.5, p10: 0.7, p25: 1, p75: 3.2, p90: 3.68 },
      followupHistogram: { "0-1": 1, "1-2": 1, "2-3": 1, "3-4": 1, "4-5": 1 },
      eventsPerYear: { "0-1": 1, "1-2": 0, "2-3": 0, "3-4": 0, "4-5": 1 },
      censoredPerYear: { "0-1": 0, "1-2": 1, "2-3": 1, "3-4": 1, "4-5": 0 },
      viewsPerCase: { "1": 3, "2": 2 },
      // d2.png (E4's R-CC) is missing on disk
      viewCounts: { "L-CC": 4, "R-CC": 3 },
      casesMissingView: 3,
      missingByView: { "L-CC": 1, "R-CC": 2 },
    });
  });

  it("counts a case without a usable image apart; a report without follow-up targets has survival null", () => {
    const m = csv([HEADER, ...SMALL]);
    const built = buildDatasetTable(m, RISK);
    const r = buildImportReport(m, built, { missingRows: [7], unreadableRows: [] }).survival!;
    expect(r.cases).toBe(4);
    expect(r.casesWithoutImages).toBe(1);
    const plain = csv(["image_id,patient_id,dx", "a.png,P1,nv"]);
    expect(buildImportReport(plain, buildDatasetTable(plain, {}), { missingRows: [], unreadableRows: [] }).survival).toBeNull();
  });
});
