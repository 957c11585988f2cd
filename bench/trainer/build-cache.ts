// Builds the uint8 image cache for the trainer benchmark with the product's own code (sharp, packages/data).
// Usage: npx tsx bench/trainer/build-cache.ts <imagesDir> <listFile (one relative path per line)> <size> <outDir>
import { readFileSync } from "node:fs";
import { buildImageCache } from "../../packages/data/src/image-cache.ts";

const [imagesDir, listFile, size, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error("usage: build-cache.ts <imagesDir> <listFile> <size> <outDir>");
  process.exit(2);
}
const imagePaths = readFileSync(listFile, "utf8").split("\n").filter(Boolean);
const index = await buildImageCache({ imagesDir, imagePaths, size: Number(size), outDir });
if (index.unreadable.length) {
  console.error(`unreadable images: ${JSON.stringify(index.unreadable.slice(0, 3))}`);
  process.exit(1);
}
console.log(JSON.stringify({ count: index.count, size: index.size }));
