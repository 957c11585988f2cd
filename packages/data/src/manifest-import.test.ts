import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, describe, expect, it } from "vitest";
import { parseCsvColumns } from "./csv-columns.ts";
import { buildDatasetTable, buildImportReport } from "./manifest-import.ts";
import { ManifestError, readManifestColumns } from "./manifest-read.ts";

const dir = mkdtempSync(join(tmpdir(), "manifest-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const noImages = { missingRows: [], unreadableRows: [] };

describe("parseCsvColumns", () => {
  it("reads quotes, escaped quotes, embedded newlines and delimiters, CRLF, a BOM and blank lines", () => {
    const text = '\ufeffid,dx,note\r\na.jpg,"mel|nv","say ""hi"", twice"\r\n\r\nb.jpg,bcc,"two\nlines"\r\n';
    const r = parseCsvColumns(text);
    expect(r.header).toEqual(["id", "dx", "note"]);
    expect(r.rows).toBe(2);
    expect(r.columns[2]).toEqual(['say "hi", twice', "two\nlines"]);
    expect(r.columns[1]).toEqual(["mel|nv", "bcc"]);
  });
  it("names the line of a row with the wrong number of fields, and of an unclosed quote", () => {
    expect(() => parseCsvColumns("a,b\n1,2\n3\n")).toThrow(/line 3: 1 fields, but the header has 2/);
    expect(() => parseCsvColumns('a,b\n1,"2\n')).toThrow(/line 2: a quoted field is never closed/);
  });
  it("empty cells are null, cells are trimmed", () => {
    expect(parseCsvColumns("a;b\n x ;\n", ";").columns).toEqual([["x"], [null]]);
  });
});

describe("buildDatasetTable + report", () => {
  it("merges several rows per image, splits delimited labels, reports duplicates, unicode names and groups", async () => {
    const f = join(dir, "m.csv");
    writeFileSync(f, ["image_id,patient_id,dx,age", "a.jpg,P1,Mélanome,30", "a.jpg,P1,nevus,30", "b.jpg,P1,nevus|psoriasis,", "c.jpg,P2,,40", "d.jpg,P2,Mélanome,50"].join("\n"));
    const m = await readManifestColumns(f);
    const built = buildDatasetTable(m, {});
    expect(built.table.imageIds).toEqual(["a.jpg", "b.jpg", "c.jpg", "d.jpg"]);
    expect(built.table.diagnoses).toEqual([["Mélanome", "nevus"], ["nevus", "psoriasis"], [], ["Mélanome"]]);
    const r = buildImportReport(m, built, { missingRows: [3], unreadableRows: [{ row: 1, error: "bad" }] });
    expect(r).toMatchObject({ rows: 5, images: 4, groups: 2, duplicateRows: 1, duplicateImageIds: [{ id: "a.jpg", rows: 2 }], unlabeledImages: 1, usableImages: 2 });
    expect(r.diagnoses).toEqual({ nevus: 2, Mélanome: 2, psoriasis: 1 });
    expect(r.missingImages).toEqual(["d.jpg"]);
    expect(r.unreadableImages).toEqual([{ path: "b.jpg", error: "bad" }]);
    expect(r.metadata).toEqual([{ name: "age", kind: "continuous", missingRate: 0.25, distinct: 3, skipped: null }]);
    expect(r.encodedDim).toBe(2);
    expect(built.table.excluded).toEqual([1, 3]);
  });

  it("a case column gives every image of the case all of the case's diagnoses", async () => {
    const f = join(dir, "case.csv");
    writeFileSync(f, "image,case,patient,dx\n1.png,C1,P1,mel\n2.png,C1,P1,nv\n3.png,C2,P1,bcc\n");
    const built = buildDatasetTable(await readManifestColumns(f), { caseCol: "case", groupCol: "patient" });
    expect(built.table.diagnoses).toEqual([["mel", "nv"], ["mel", "nv"], ["bcc"]]);
  });

  it("one patient with many images is one group", async () => {
    const f = join(dir, "one.csv");
    writeFileSync(f, ["image_id,patient_id,dx", ...Array.from({ length: 300 }, (_, i) => `${i}.png,SOLO,${i % 2 ? "mel" : "nv"}`)].join("\n"));
    const m = await readManifestColumns(f);
    const r = buildImportReport(m, buildDatasetTable(m, {}), noImages);
    expect(r.groups).toBe(1);
    expect(r.imagesPerGroup).toMatchObject({ min: 300, max: 300, largest: [{ group: "SOLO", images: 300 }], histogram: { "10+": 1 } });
  });

  it("names every group that a manifest's split puts in more than one split", async () => {
    const f = join(dir, "split.csv");
    writeFileSync(f, "image_id,patient_id,dx,split\na,P1,x,train\nb,P1,x,valid\nc,P2,x,test\nd,P3,x,train\ne,P3,x,holdout\nf,P4,x,oops\n");
    const m = await readManifestColumns(f);
    const r = buildImportReport(m, buildDatasetTable(m, { splitCol: "split" }), noImages);
    expect(r.split!.crossingGroups).toEqual([{ group: "P1", splits: ["train", "val"], images: 2 }, { group: "P3", splits: ["test", "train"], images: 2 }]);
    expect(r.split!.unknownValues).toEqual(["oops"]);
  });

  it("errors name the column and list what there is", async () => {
    const f = join(dir, "cols.csv");
    writeFileSync(f, "img,who,what\na,b,c\n");
    const m = await readManifestColumns(f);
    expect(() => buildDatasetTable(m, {})).toThrow(/cannot tell which column holds the image; pass --image-col \(columns: img, who, what\)/);
    expect(() => buildDatasetTable(m, { imageCol: "img", groupCol: "who", labelCol: "dxx" })).toThrow(/diagnosis column "dxx" \(--label-col\) is not in the manifest/);
    writeFileSync(join(dir, "semi.csv"), "image_id;patient_id;dx\na;b;c\n");
    await expect(readManifestColumns(join(dir, "semi.csv"))).rejects.toThrow(/semicolon-separated: pass --delimiter/);
    await expect(readManifestColumns(join(dir, "nope.csv"))).rejects.toThrow(ManifestError);
  });

  it("reads Parquet manifests, list columns as several diagnoses", async () => {
    const f = join(dir, "m.parquet");
    const buf = parquetWriteBuffer({
      columnData: [
        { name: "image_id", data: ["a.png", "b.png"], type: "STRING" },
        { name: "patient_id", data: ["P1", "P2"], type: "STRING" },
        { name: "dx", data: ["mel|nv", "bcc"], type: "STRING" },
        { name: "age", data: [41, null], type: "INT32" },
      ],
    });
    writeFileSync(f, Buffer.from(buf));
    const m = await readManifestColumns(f);
    expect(m.format).toBe("parquet");
    const built = buildDatasetTable(m, {});
    expect(built.table.diagnoses).toEqual([["mel", "nv"], ["bcc"]]);
    expect(built.table.metadata.age).toEqual(["41", null]);
    expect(built.table.features).toEqual([{ name: "age", kind: "continuous" }]);
  });
});
