// `trainyard demo`: generate a synthetic demo dataset inside TRAINYARD_HOME, import it, register
// its label set (classification), and warm its image cache so the first run starts training at once.
// `--task detection` makes the detection demo instead: images with boxes, no label set. `--task risk`
// makes the risk demo: four-view exams with follow-up times, events and their true log-hazard.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "@trainyard/config";
import { DEMO_DETECTION_CLASSES, generateDemoDataset, generateDemoDetectionDataset, generateDemoRiskDataset, parseLabelFile, readDatasetTable } from "@trainyard/data";
import { upsertLabelSet } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { REPO_ROOT } from "../daemon.ts";
import { importDataset } from "./import-dataset.ts";
import { ensureImageCache } from "./image-caches.ts";

export const DEMO_TASKS = ["classification", "detection", "risk"] as const;
export type DemoTask = (typeof DEMO_TASKS)[number];

export const DEMO_NAME = "demo";
export const DEMO_IMAGE_SIZE = 64;

export const DEMO_DETECTION_NAME = "demo-detection";
export const DEMO_DETECTION_CONFIG = join("configs", "demo-detection.yaml");
/** The cache size when configs/demo-detection.yaml is missing or unreadable (its own value wins). */
const DEMO_DETECTION_FALLBACK_SIZE = 128;

export const DEMO_RISK_NAME = "demo-risk";
export const DEMO_RISK_CONFIG = join("configs", "demo-risk.yaml");
/** The images' side, and the cache size when configs/demo-risk.yaml is missing or unreadable. */
export const DEMO_RISK_IMAGE_SIZE = 64;

export async function createDemoDataset(daemon: Daemon, task: DemoTask = "classification") {
  if (task === "risk") return createRiskDemo(daemon);
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
  return demoConfigImageSize(DEMO_DETECTION_CONFIG, DEMO_DETECTION_FALLBACK_SIZE);
}

/** The image size a demo config trains at, or the fallback when the config is missing or does not load. */
function demoConfigImageSize(config: string, fallback: number): number {
  const file = join(REPO_ROOT, config);
  if (!existsSync(file)) return fallback;
  try {
    return loadConfig(readFileSync(file, "utf8"), [], config).dataset.image_size;
  } catch {
    // a config that does not validate is reported when it is run; the demo still gets a cache
    return fallback;
  }
}

/** The image size configs/demo-risk.yaml trains at (the cache `trainyard demo --task risk` warms). */
export function demoRiskImageSize(): number {
  return demoConfigImageSize(DEMO_RISK_CONFIG, DEMO_RISK_IMAGE_SIZE);
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

async function createRiskDemo(daemon: Daemon) {
  const outDir = join(daemon.home.root, "demo-risk-source");
  rmSync(outDir, { recursive: true, force: true });
  const started = performance.now();
  const made = await generateDemoRiskDataset({ outDir, size: DEMO_RISK_IMAGE_SIZE });
  const generateMs = Math.round(performance.now() - started);
  const { row, report } = await importDataset(
    daemon,
    DEMO_RISK_NAME,
    // the true log-hazard travels beside the manifest (survivalOracle), never as a column of it
    {
      manifest: made.manifest, imagesDir: made.imagesDir, imageCol: "image_id", groupCol: "patient_id", caseCol: "exam_id", viewCol: "view",
      timeCol: "followup_years", eventCol: "event", survivalOracle: made.oracle, imageCheck: "exists",
    },
    { replace: true },
  );
  rmSync(join(daemon.home.cache, DEMO_RISK_NAME), { recursive: true, force: true });
  const imageSize = demoRiskImageSize();
  await ensureImageCache(daemon, row, readDatasetTable(row.dir), imageSize);
  const s = report.survival!;
  return {
    task: "risk" as const,
    name: row.name,
    images: row.numSamples,
    numGroups: row.numGroups,
    exams: s.cases,
    events: s.events,
    censored: s.censored,
    eventRate: s.eventRate,
    views: Object.keys(s.viewCounts),
    examsMissingView: s.casesMissingView,
    followupMedian: s.followup.median,
    imageSize,
    config: existsSync(join(REPO_ROOT, DEMO_RISK_CONFIG)) ? DEMO_RISK_CONFIG : null,
    generateMs,
  };
}
