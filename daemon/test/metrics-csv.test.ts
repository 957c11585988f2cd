// GET /api/export/metrics.csv against a real daemon: every stored point, streamed; clear refusals for bad
// parameters; a download the browser abandons stops without harming the daemon.
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvChunks, IngestWriter, openStore, sealRun, type MetricPoint } from "@trainyard/db";
import { startDaemon, type DaemonProcess } from "./daemon-process.ts";

const home = mkdtempSync(join(tmpdir(), "trainyard-csv-"));
const runs = ["c0", "c1"];
const keys = ["train/loss", "val/auc_macro"];
const STEPS = 60_000;
let d: DaemonProcess;
let expected: string;

beforeAll(async () => {
  const store = openStore(join(home, "trainyard.db"));
  for (const id of runs) {
    store.sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml, status, ended_at) VALUES (?, ?, 'd', '{}', '', 'completed', 1)").run(id, `run ${id}`);
    const pts: MetricPoint[] = [];
    for (let s = 0; s < STEPS; s++) for (const key of keys) pts.push({ runId: id, key, step: s, epoch: s >> 12, phase: null, time: 1.7e9 + s / 8, value: Math.sin(s / 700) + (s === 4321 ? 7 : 0) });
    new IngestWriter(store.sqlite).write({ metrics: pts, events: [], offsets: new Map() });
    sealRun(store.sqlite, id);
  }
  expected = [...csvChunks(store.sqlite, runs, keys)].join("");
  store.close();
  d = await startDaemon({ home });
});
afterAll(async () => {
  await d?.stop();
  rmSync(home, { recursive: true, force: true });
});

const url = (q: string) => `${d.url}/api/export/metrics.csv?${q}`;
const all = `${runs.map((r) => `run=${r}`).join("&")}&${keys.map((k) => `key=${encodeURIComponent(k)}`).join("&")}`;

describe("metric CSV export", () => {
  it("streams every point of every run and key as a download", async () => {
    const res = await fetch(url(`${all}&filename=compare loss`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="compare_loss.csv"');
    expect(res.headers.get("content-length")).toBeNull(); // streamed, not built first
    const text = await res.text();
    expect(text).toBe(expected);
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(1 + runs.length * keys.length * STEPS);
    const spikes = lines.filter((l) => l.split(",")[3] === "4321"); // one per run and key, not sampled away
    expect(spikes.map((l) => Number(l.split(",")[6]) > 6)).toEqual([true, true, true, true]);
  });

  it("refuses bad parameters with what is wrong and how to ask", async () => {
    const cases: [string, number, RegExp][] = [
      [`key=train/loss`, 400, /no run given: .*\?run=<id>&key=train\/loss/],
      [`run=c0`, 400, /no metric key given/],
      [`run=c0&run=ghost&key=train/loss`, 404, /no run "ghost"/],
      [`${Array.from({ length: 101 }, (_, i) => `run=r${i}`).join("&")}&key=a`, 400, /101 runs asked for; at most 100/],
    ];
    for (const [q, status, message] of cases) {
      const res = await fetch(url(q));
      expect(res.status, q.slice(0, 60)).toBe(status);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
  });

  it("stops when the browser goes away, and the daemon goes on serving", async () => {
    await new Promise<void>((resolve, reject) => {
      const req = request(url(all), (res) => {
        res.once("data", () => {
          req.destroy(); // the user cancelled the download after its first chunk
          resolve();
        });
      });
      req.on("error", (e) => (e.message.includes("socket hang up") || e.message.includes("aborted") ? resolve() : reject(e)));
      req.end();
    });
    const res = await fetch(url(`run=c1&key=val/auc_macro`));
    expect((await res.text()).trimEnd().split("\n")).toHaveLength(1 + STEPS);
    expect((await fetch(`${d.url}/healthz`)).status).toBe(200);
  });
});
