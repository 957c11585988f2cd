// Import and preview at DermaDetect scale (370k images / 90k patients, no image files): the manifest
// read + table build + report + table write that an import does with `--check none`, and the preview
// answered from the in-memory table. References measured in the same run:
//   import  vs  Python's csv.DictReader merely reading the same file into dicts (the usual first step);
//   preview vs  the same preview without the in-memory table (read table.json + compile + count).
// Budgets from the issue: import < 10 s, preview < 200 ms.
//   npx tsx bench/data/import-preview.ts [scale=1]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildDatasetTable, buildImportReport, checkImages, compileDatasetIndex, readDatasetTable, readManifestColumns, selectSamples, writeDatasetTable, type SelectionOptions,
} from "../../packages/data/src/index.ts";
import { diagnosisName, writeSyntheticManifest } from "./synthetic-manifest.ts";

const scale = Number(process.argv[2] ?? 1);
const dir = mkdtempSync(join(tmpdir(), "bench-import-"));
const manifest = join(dir, "manifest.csv");
try {
  const { rows } = await writeSyntheticManifest(manifest, scale);
  console.log(`manifest: ${rows} rows (generated in ${dir})`);

  const py = spawnSync("/usr/bin/python3", ["-c", `import csv,time,sys\nt=time.perf_counter()\nrows=list(csv.DictReader(open(sys.argv[1], newline='')))\nprint(time.perf_counter()-t, len(rows))`, manifest], { encoding: "utf8" });
  const pyRead = py.status === 0 ? Number(py.stdout.split(" ")[0]) : NaN;

  const t0 = performance.now();
  const m = await readManifestColumns(manifest);
  const t1 = performance.now();
  const built = buildDatasetTable(m, { caseCol: "case_id" });
  const t2 = performance.now();
  const report = buildImportReport(m, built, await checkImages(dir, built.table.imagePaths, { mode: "none" }));
  const t3 = performance.now();
  writeDatasetTable(dir, built.table);
  const t4 = performance.now();
  const importS = (t4 - t0) / 1000;
  console.log(`import: ${importS.toFixed(2)} s  (read ${((t1 - t0) / 1000).toFixed(2)}, table ${((t2 - t1) / 1000).toFixed(2)}, report ${((t3 - t2) / 1000).toFixed(2)}, write ${((t4 - t3) / 1000).toFixed(2)})`);
  console.log(`        ${report.images} images, ${report.groups} patients, ${Object.keys(report.diagnoses).length} diagnoses, encoded dim ${report.encodedDim}`);
  console.log(`        budget 10 s: ${(10 / importS).toFixed(1)}x under; vs Python csv.DictReader read alone (${pyRead.toFixed(2)} s): ${(pyRead / importS).toFixed(2)}x`);

  // daemon load (once per dataset), then previews as a user ticks labels and moves the ratio
  const l0 = performance.now();
  const index = compileDatasetIndex(readDatasetTable(dir));
  const loadMs = performance.now() - l0;
  const base: SelectionOptions = { labels: [], otherClass: true, otherRatio: 0.1, unlabeled: "drop", split: { by: "patient", train: 0.8, val: 0.1, test: 0.1, seed: 0, stratified: true } };
  const requests: SelectionOptions[] = [];
  for (let k = 1; k <= 25; k++) requests.push({ ...base, labels: Array.from({ length: k }, (_, i) => diagnosisName(i * 3)) });
  for (let r = 0; r <= 10; r++) requests.push({ ...base, labels: Array.from({ length: 25 }, (_, i) => diagnosisName(i * 3)), otherRatio: r / 10 });
  requests.push({ ...base, labels: Array.from({ length: 25 }, (_, i) => diagnosisName(i * 3)), split: { ...base.split, seed: 1 } }); // a new seed: hashes computed
  const times = requests.map((o) => {
    const t = performance.now();
    selectSamples(index, o);
    return performance.now() - t;
  });
  const sorted = [...times].sort((a, b) => a - b);
  const p50 = sorted[Math.floor(sorted.length / 2)], max = sorted.at(-1)!;
  const c0 = performance.now();
  selectSamples(compileDatasetIndex(readDatasetTable(dir)), requests[24]);
  const coldMs = performance.now() - c0;
  console.log(`preview: ${requests.length} requests, median ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms (first use of a seed included); table load once ${loadMs.toFixed(0)} ms`);
  console.log(`        budget 200 ms: ${(200 / max).toFixed(1)}x under at the max; vs without the in-memory table (${coldMs.toFixed(0)} ms): ${(coldMs / p50).toFixed(0)}x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
