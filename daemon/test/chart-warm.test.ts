// charts.warm (sent by the compare page's server render) reads finished runs' series ahead of the
// browser's charts.series, which then takes the same read instead of doing its own.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngestWriter, openStore, readBuckets, sealRun, type MetricPoint } from "@trainyard/db";
import { encodeSeries } from "@trainyard/protocol/series-wire";
import { startDaemon, type DaemonProcess } from "./daemon-process.ts";

const home = mkdtempSync(join(tmpdir(), "trainyard-warm-"));
const runs = ["w0", "w1", "w2"];
const keys = ["train/loss", "val/auc_macro"];
let d: DaemonProcess;

beforeAll(async () => {
  const store = openStore(join(home, "trainyard.db"));
  for (const id of runs) {
    store.sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml, status, ended_at) VALUES (?, ?, 'd', '{}', '', 'completed', 1)").run(id, id);
    const pts: MetricPoint[] = [];
    for (let s = 0; s < 20_000; s++) for (const key of keys) pts.push({ runId: id, key, step: s, epoch: s >> 12, phase: null, time: 1.7e9 + s, value: Math.cos(s / 300) + (s === 999 ? 4 : 0) });
    new IngestWriter(store.sqlite).write({ metrics: pts, events: [], offsets: new Map() });
    sealRun(store.sqlite, id);
  }
  store.close();
  d = await startDaemon({ home });
});
afterAll(async () => {
  await d?.stop();
  rmSync(home, { recursive: true, force: true });
});

const served = async () => ((await (await fetch(`${d.url}/healthz`)).json()) as { chartReads: { workers: number; local: number } }).chartReads;

describe("charts.warm", () => {
  it("reads finished runs' series once: the page's own request gets the warm-up's result", async () => {
    const input = { runs, keys, maxPoints: 300 };
    expect(await d.client.charts.warm.query(input)).toEqual({ started: true });
    const got = await d.client.charts.series.query(input);
    const store = openStore(join(home, "trainyard.db"), { readonly: true });
    try {
      for (const id of runs) for (const key of keys) expect(got[id][key]).toEqual(encodeSeries(readBuckets(store.sqlite, id, key, { maxPoints: 300 })));
    } finally {
      store.close();
    }
    const n = await served();
    expect(n.workers + n.local).toBe(runs.length * keys.length); // each series read once, by the warm-up
    await d.client.charts.series.query({ ...input, maxPoints: 301 }); // another request: read again
    const m = await served();
    expect(m.workers + m.local).toBe(2 * runs.length * keys.length);
  });

  it("refuses a malformed request like charts.series does", async () => {
    await expect(d.client.charts.warm.query({ runs: [], keys, maxPoints: 300 } as never)).rejects.toThrow();
  });
});
