// Image-cache build throughput: our sharp build (parallel, resumable, fingerprinted) against the usual
// Python way (PIL + numpy memmap, one process per core: bench/data/cache_build_reference.py), on the
// same images, the same output size and the same cores, in the same run. Target: at least 2x.
// Three image sets: HAM10000 upsampled to 1024x768 and to its original 600x450 (JPEG q90, written here
// from the shared 200x150 copies), and the 200x150 copies themselves.
//   npx tsx bench/data/cache-build.ts [images=1000] [size=64]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { buildImageCache } from "../../packages/data/src/index.ts";
import { SHARED_DATASETS } from "../../scripts/shared-datasets.ts";

const count = Number(process.argv[2] ?? 1000);
const size = Number(process.argv[3] ?? 64);
const HAM = join(SHARED_DATASETS, "ham10000_200x150", "images");
const names = readdirSync(HAM).filter((f) => f.endsWith(".jpg")).sort().slice(0, count);
const dir = mkdtempSync(join(tmpdir(), "bench-cache-"));

async function compare(label: string, imagesDir: string) {
  writeFileSync(join(dir, "list.txt"), names.map((p) => join(imagesDir, p)).join("\n"));
  const py = spawnSync("/usr/bin/python3", [new URL("./cache_build_reference.py", import.meta.url).pathname, join(dir, "list.txt"), join(dir, "ref.u8"), String(size)], { encoding: "utf8" });
  if (py.status !== 0) throw new Error(`the Python reference failed:\n${py.stderr}`);
  const ref = JSON.parse(py.stdout.trim().split("\n").at(-1)!) as { images_per_s: number; seconds: number; processes: number };
  const out = join(dir, `ours-${label.replace(/\W+/g, "")}`);
  const t0 = performance.now();
  const index = await buildImageCache({ imagesDir, imagePaths: names, size, outDir: out });
  const seconds = (performance.now() - t0) / 1000;
  const ours = names.length / seconds;
  const t1 = performance.now();
  await buildImageCache({ imagesDir, imagePaths: names, size, outDir: out }); // unchanged: fingerprints only
  const recheck = (performance.now() - t1) / 1000;
  console.log(`${label}: ${names.length} images -> ${size}x${size}x3 on ${availableParallelism()} cores`);
  console.log(`  python PIL + numpy, ${ref.processes} processes: ${ref.images_per_s.toFixed(0)} images/s (${ref.seconds.toFixed(2)} s)`);
  console.log(`  sharp cache build:                 ${ours.toFixed(0)} images/s (${seconds.toFixed(2)} s, ${index.unreadable.length} unreadable; up-to-date re-check ${recheck.toFixed(2)} s)`);
  console.log(`  ratio: ${(ours / ref.images_per_s).toFixed(2)}x (target >= 2x)`);
}

try {
  // clinical-size sources are where decode dominates (and where the cache pays off most)
  for (const [w, h] of [[1024, 768], [600, 450]]) {
    const big = join(dir, `ham${w}`);
    mkdirSync(big);
    for (const f of names) await sharp(join(HAM, f)).resize(w, h).jpeg({ quality: 90 }).toFile(join(big, f));
    await compare(`HAM10000 upsampled to ${w}x${h} JPEG`, big);
  }
  await compare("HAM10000 thumbnails (200x150 JPEG)", HAM);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
