// A dataset's fingerprint: sha256 of its sample table (every row's image id and path, group, diagnoses,
// metadata, boxes and follow-up targets, plus exclusions and the cache fit), as the import wrote it. The same
// manifest, images folder and options give the same table and so the same fingerprint; any changed row changes it.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { TABLE_FILE } from "./dataset-table.ts";

export async function datasetFingerprint(dir: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(join(dir, TABLE_FILE))) hash.update(chunk as Buffer);
  return `sha256:${hash.digest("hex")}`;
}
