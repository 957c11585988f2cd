// A decoder process for buildImageCache: decodes the batches of rows it is sent into the cache file, one
// image at a time and in the order received, and answers each batch when done. Before each image it notes
// the row in hand, so that if an image takes it down the parent knows which. Exits when its parent
// disconnects (the build is done, or the parent died).
import { openSync, writeSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import type { DecoderSetup } from "./image-cache.ts";
import { decodeRow, type DecodedRow } from "./image-decode.ts";

const setup = JSON.parse(process.argv[2]) as DecoderSetup;
sharp.concurrency(1);
sharp.cache(false);
const fd = openSync(setup.cacheFile, "r+");
const rowFd = openSync(setup.rowFile, "w");
const note = Buffer.alloc(4);
const batches: [row: number, path: string][][] = [];
let draining = false;

async function drain() {
  draining = true;
  for (let batch = batches.shift(); batch; batch = batches.shift()) {
    const results: DecodedRow[] = [];
    for (const [row, path] of batch) {
      note.writeUInt32LE(row);
      writeSync(rowFd, note, 0, 4, 0);
      results.push(await decodeRow(fd, join(setup.imagesDir, path), row, setup.size, setup.fit));
    }
    if (!process.connected) break;
    process.send!(results);
  }
  draining = false;
}

process.on("message", (batch: [number, string][]) => {
  batches.push(batch);
  if (!draining) void drain();
});
process.on("disconnect", () => process.exit(0));
process.send!("ready");
