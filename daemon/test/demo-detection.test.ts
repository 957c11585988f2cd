// `trainyard demo --task detection` through the real CLI and daemon: the synthetic detection dataset
// is imported with its boxes (exactly the generated ones), its patients, its "no findings" images,
// and a letterboxed cache at the size the demo config trains at. `trainyard demo` alone is unchanged.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_DETECTION_SHAPES, readCacheIndex, readDatasetTable } from "@trainyard/data";
import { demoDetectionImageSize } from "../src/datasets/demo.ts";
import { startDaemon, type DaemonProcess } from "./daemon-process.ts";

let d: DaemonProcess;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => d?.stop());

const readCsv = (file: string) => readFileSync(file, "utf8").trim().split("\n").slice(1).map((l) => l.split(","));

describe("trainyard demo --task detection", () => {
  it("imports demo-detection with every generated box, its patients and its no-findings images", async () => {
    const res = await d.cli(["demo", "--task", "detection"]);
    expect(res.code, res.stderr).toBe(0);
    const m = res.stdout.match(/dataset "demo-detection": (\d+) images of (\d+) patients; (\d+) boxes \(nodule (\d+), mass (\d+), opacity (\d+)\); (\d+) images without findings/);
    expect(m, res.stdout).not.toBeNull();
    const [images, patients, boxes, , , , noFindings] = m!.slice(1).map(Number);
    expect(res.stdout).toContain("trainyard run configs/demo-detection.yaml --wait");

    const row = await d.client.datasets.get.query({ name: "demo-detection" });
    expect(row.numSamples).toBe(images);
    expect(row.numGroups).toBe(patients);
    expect(images).toBeGreaterThanOrEqual(600);
    expect(patients).toBeLessThanOrEqual(images / 2);

    // the stored table holds exactly the boxes the generator wrote, per image, in source pixels
    const source = join(d.home, "demo-detection-source");
    const manifest = readCsv(join(source, "manifest.csv"));
    const expected = new Map<string, string[]>();
    for (const [image, ...rest] of readCsv(join(source, "boxes.csv"))) expected.set(image, [...(expected.get(image) ?? []), rest.join(",")]);
    const table = readDatasetTable(join(d.home, "datasets", "demo-detection"));
    expect(table.imageIds).toEqual(manifest.map((r) => r[0]));
    expect(table.excluded).toEqual([]);
    expect(table.cacheFit).toBe("pad");
    const tb = table.boxes;
    if (!tb) throw new Error("demo-detection was imported without boxes");
    expect([...tb.classes].sort()).toEqual(["mass", "nodule", "opacity"]);
    expect(tb.offsets).toHaveLength(table.imageIds.length + 1);
    expect(tb.labels).toHaveLength(boxes);
    expect(tb.coords).toHaveLength(4 * boxes);
    const shapes = DEMO_DETECTION_SHAPES.map(([w, h]) => `${w}x${h}`);
    let empty = 0;
    table.imageIds.forEach((id, i) => {
      const stored: string[] = [];
      for (let k = tb.offsets[i]; k < tb.offsets[i + 1]; k++) stored.push([...tb.coords.slice(4 * k, 4 * k + 4), tb.classes[tb.labels[k]]].join(","));
      expect(stored.sort(), id).toEqual((expected.get(id) ?? []).sort());
      // the frame the boxes are in (read for the images that have boxes)
      if (stored.length) expect(shapes, id).toContain(`${tb.sizes[2 * i]}x${tb.sizes[2 * i + 1]}`);
      if (!stored.length) {
        empty++;
        expect(table.diagnoses[i], id).toEqual([]);
      }
    });
    expect(empty).toBe(noFindings);
    expect(noFindings / images).toBeGreaterThan(0.12);
    expect(noFindings / images).toBeLessThan(0.3);

    // the cache the demo config reads is already built, letterboxed, with each image's geometry
    const size = demoDetectionImageSize();
    expect(res.stdout).toContain(`image cache warmed at ${size} px`);
    const index = readCacheIndex(join(d.home, "cache", "demo-detection", String(size)));
    if (!index) throw new Error(`no image cache at ${size} px`);
    expect(index.count).toBe(images);
    expect(index.fit).toBe("pad");
    const geometry = (index as { geometry?: number[][] }).geometry;
    if (!geometry) throw new Error("the cache index has no geometry");
    geometry.forEach(([sx, sy, px, py, w, h], i) => {
      expect(shapes, table.imageIds[i]).toContain(`${w}x${h}`);
      // longer side to the cache size, centred: every box lands inside the cache image
      expect(Math.max(w * sx, h * sy)).toBeCloseTo(size, 0);
      for (let k = tb.offsets[i]; k < tb.offsets[i + 1]; k++) {
        const [x0, y0, x1, y1] = tb.coords.slice(4 * k, 4 * k + 4);
        expect(x0 * sx + px).toBeGreaterThanOrEqual(-1e-6);
        expect(y0 * sy + py).toBeGreaterThanOrEqual(-1e-6);
        expect(x1 * sx + px).toBeLessThanOrEqual(size + 1e-6);
        expect(y1 * sy + py).toBeLessThanOrEqual(size + 1e-6);
      }
    });
  });

  it("refuses an unknown task with the usage, and keeps the classification demo as it was", async () => {
    const bad = await d.cli(["demo", "--task", "segmentation"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("usage: trainyard demo [--task classification|detection|risk]");

    const res = await d.cli(["demo"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^dataset "demo": \d+ images of \d+ patients; diagnoses /);
    expect(res.stdout).toContain('label set "demo3"');
    expect(res.stdout).toContain("trainyard run configs/demo.yaml --wait");
    const names = (await d.client.datasets.list.query()).map((x: { name: string }) => x.name).sort();
    expect(names).toContain("demo");
    expect(readDatasetTable(join(d.home, "datasets", "demo")).cacheFit).toBe("crop");
  });
});
