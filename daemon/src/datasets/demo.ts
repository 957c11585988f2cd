// `trainyard demo`: generate the synthetic demo dataset inside TRAINYARD_HOME, import it, register
// its label set, and warm its image cache so the first run starts training at once.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { generateDemoDataset, parseLabelFile, readDatasetTable } from "@trainyard/data";
import { upsertLabelSet } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { REPO_ROOT } from "../daemon.ts";
import { importDataset } from "./import-dataset.ts";
import { ensureImageCache } from "./image-caches.ts";

export const DEMO_NAME = "demo";
export const DEMO_IMAGE_SIZE = 64;

export async function createDemoDataset(daemon: Daemon) {
  const outDir = join(daemon.home.root, "demo-source");
  rmSync(outDir, { recursive: true, force: true });
  const { manifest, imagesDir, images } = await generateDemoDataset({ outDir, size: DEMO_IMAGE_SIZE });
  // the images were just written by us: checking that they exist is enough
  const { row } = await importDataset(daemon, DEMO_NAME, { manifest, imagesDir, imageCol: "image_id", groupCol: "patient_id", labelCol: "diagnosis", imageCheck: "exists" }, { replace: true });
  rmSync(join(daemon.home.cache, DEMO_NAME), { recursive: true, force: true });
  const labelFile = join(REPO_ROOT, "configs", "labels", "demo3.txt");
  const labels = parseLabelFile(readFileSync(labelFile, "utf8"));
  upsertLabelSet(daemon.store.db, "demo3", labels, "configs/labels/demo3.txt");
  await ensureImageCache(daemon, row, readDatasetTable(row.dir), DEMO_IMAGE_SIZE);
  return { name: row.name, images, numGroups: row.numGroups, diagnoses: row.diagnoses, labelSet: { name: "demo3", labels } };
}
