// `trainyard demo`: generate a synthetic demo dataset inside TRAINYARD_HOME, import it, register
// its label set (classification), and warm its image cache so the first run starts training at once.
// `--task detection` makes the detection demo instead: images with boxes, no label set.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "@trainyard/config";
import { DEMO_DETECTION_CLASSES, generateDemoDataset, generateDemoDetectionDataset, parseLabelFile, readDatasetTable } from "@trainyard/data";
import { upsertLabelSet } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { REPO_ROOT } from "../daemon.ts";
import { importDataset } from "./import-dataset.ts";
import { ensureImageCache } from "./image-caches.ts";

export const DEMO_TASKS = ["classification", "detection"] as const;
export type DemoTask = (typeof DEMO_TASKS)[number];

export const DEMO_NAME = "demo";
export const DEMO_IMAGE_SIZE = 64;

export const DEMO_DETECTION_NAME = "demo-detection";
export const DEMO_DETECTION_CONFIG = join("configs", "demo-detection.yaml");
/** The cache size when configs/demo-detection.yaml is missing or unreadable (its own value wins). */
const DEMO_DETECTION_FALLBACK_SIZE = 128;

export async function createDemoDataset(daemon: Daemon, task: DemoTask = "classification") {
  return task === "detection" ? createDetectionDemo(daemon) : createClassificationDemo(daemon);
}

async function createClassificationDemo(daemon: Daemon) {
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
  return { task: "classification" as const, name: row.name, images, numGroups: row.numGroups, diagnoses: row.diagnoses, labelSet: { name: "demo3", labels } };
}

/**
 * The image size the detection demo's config trains at, so `trainyard demo --task detection` warms
 * the cache that run will read. The config decides; the fallback only covers a tree without it.
 */
export function demoDetectionImageSize(): number {
  const file = join(REPO_ROOT, DEMO_DETECTION_CONFIG);
  if (!existsSync(file)) return DEMO_DETECTION_FALLBACK_SIZE;
  try {
    return loadConfig(readFileSync(file, "utf8"), [], DEMO_DETECTION_CONFIG).dataset.image_size;
  } catch {
    // a config that does not validate is reported when it is run; the demo still gets a cache
    return DEMO_DETECTION_FALLBACK_SIZE;
  }
}

async function createDetectionDemo(daemon: Daemon) {
  const outDir = join(daemon.home.root, "demo-detection-source");
  rmSync(outDir, { recursive: true, force: true });
  const started = performance.now();
  const made = await generateDemoDetectionDataset({ outDir });
  const generateMs = Math.round(performance.now() - started);
  const { row } = await importDataset(
    daemon,
    DEMO_DETECTION_NAME,
    // written by us a moment ago: existence is enough of a check. Letterboxed ("pad", what detection
    // datasets use anyway) so the whole image and every box reach the cache.
    { manifest: made.manifest, imagesDir: made.imagesDir, imageCol: "image_id", groupCol: "patient_id", boxes: { path: made.boxes, format: "csv" }, cacheFit: "pad", imageCheck: "exists" },
    { replace: true },
  );
  rmSync(join(daemon.home.cache, DEMO_DETECTION_NAME), { recursive: true, force: true });
  const imageSize = demoDetectionImageSize();
  await ensureImageCache(daemon, row, readDatasetTable(row.dir), imageSize);
  return {
    task: "detection" as const,
    name: row.name,
    images: row.numSamples,
    numGroups: row.numGroups,
    classes: [...DEMO_DETECTION_CLASSES],
    boxes: made.boxCount,
    boxesPerClass: made.boxesPerClass,
    noFindings: made.noFindings,
    imageSize,
    generateMs,
  };
}
