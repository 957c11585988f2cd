// A dataset table compiled for counting: integer codes for groups, diagnoses and split values, so a
// preview over 370k rows is a few tight loops. The daemon keeps one per dataset in memory.
import type { DatasetTable } from "./dataset-table.ts";
import { SPLIT_ALIASES } from "./manifest-import.ts";
import { keyedHash } from "./seeded-random.ts";
import { SPLIT_CODES } from "./split.ts";

export interface DatasetIndex {
  n: number;
  groupNames: string[];
  /** Row -> group code. */
  groupOf: Int32Array;
  dxNames: string[];
  dxCode: Map<string, number>;
  /** Diagnoses of row i: dxCodes[dxStart[i] .. dxStart[i + 1]), in manifest order, no repeats. */
  dxStart: Int32Array;
  dxCodes: Int32Array;
  /** Manifest split per row (0 train, 1 val, 2 test, -1 not a split name); null without a split column. */
  splitColumn: Int8Array | null;
  /** Raw split values per row, for error messages. */
  splitRaw: (string | null)[] | null;
  /** 1 where the image was missing or unreadable at import. */
  excluded: Uint8Array;
  /** Group codes sorted by keyedHash(seed, name), with the hashes, per seed (filled on first use). */
  orderBySeed: Map<number, { order: Int32Array; unit: Float64Array }>;
}

export function compileDatasetIndex(table: DatasetTable): DatasetIndex {
  const n = table.imageIds.length;
  const groupCode = new Map<string, number>();
  const groupNames: string[] = [];
  const groupOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const g = table.groups[i];
    let c = groupCode.get(g);
    if (c === undefined) {
      c = groupNames.length;
      groupCode.set(g, c);
      groupNames.push(g);
    }
    groupOf[i] = c;
  }
  const dxCode = new Map<string, number>();
  const dxNames: string[] = [];
  const dxStart = new Int32Array(n + 1);
  let total = 0;
  for (const ds of table.diagnoses) total += ds.length;
  const dxCodes = new Int32Array(total);
  let k = 0;
  for (let i = 0; i < n; i++) {
    dxStart[i] = k;
    for (const d of table.diagnoses[i]) {
      let c = dxCode.get(d);
      if (c === undefined) {
        c = dxNames.length;
        dxCode.set(d, c);
        dxNames.push(d);
      }
      let repeat = false;
      for (let j = dxStart[i]; j < k; j++) if (dxCodes[j] === c) repeat = true;
      if (!repeat) dxCodes[k++] = c;
    }
  }
  dxStart[n] = k;
  let splitColumn: Int8Array | null = null;
  if (table.splitColumn) {
    splitColumn = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      const v = table.splitColumn[i];
      const name = v ? SPLIT_ALIASES[v.trim().toLowerCase()] : undefined;
      splitColumn[i] = name ? SPLIT_CODES[name] : -1;
    }
  }
  const excluded = new Uint8Array(n);
  for (const r of table.excluded ?? []) excluded[r] = 1;
  return { n, groupNames, groupOf, dxNames, dxCode, dxStart, dxCodes: dxCodes.subarray(0, k), splitColumn, splitRaw: table.splitColumn, excluded, orderBySeed: new Map() };
}

/** Groups in hash order for a seed (cached on the index: the expensive part of a split). */
export function groupOrder(index: DatasetIndex, seed: number): { order: Int32Array; unit: Float64Array } {
  let hit = index.orderBySeed.get(seed);
  if (!hit) {
    const G = index.groupNames.length;
    const unit = new Float64Array(G);
    for (let g = 0; g < G; g++) unit[g] = keyedHash(seed, index.groupNames[g]) / 2 ** 53;
    const order = Int32Array.from({ length: G }, (_, g) => g).sort((a, b) => unit[a] - unit[b] || (index.groupNames[a] < index.groupNames[b] ? -1 : 1));
    hit = { order, unit };
    if (index.orderBySeed.size > 8) index.orderBySeed.clear();
    index.orderBySeed.set(seed, hit);
  }
  return hit;
}
