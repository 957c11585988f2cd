// Ingest under load: trainer lines through the daemon's whole ingest path (events.jsonl append, parse,
// one SQLite transaction per batch, live push) with 20 subscribers attached (10 reading, 10 stalled),
// against the reference of the bare batched SQLite writer on the same points, in one process.
//   npx tsx bench/daemon/ingest-subscribers.ts [lines] [valuesPerLine]
import { mkdtempSync, rmSync } from "node:fs";
import { setMaxListeners } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { countPoints, insertRun, IngestWriter, openStore, type MetricPoint } from "@trainyard/db";
import { Daemon } from "../../daemon/src/daemon.ts";
import { streamFrom } from "../../daemon/src/runs/event-bus.ts";
import { RunIngest } from "../../daemon/src/runs/ingest.ts";

const LINES = Number(process.argv[2] ?? 40_000);
const VALUES = Number(process.argv[3] ?? 10);
const POINTS = LINES * VALUES;
const line = (i: number) =>
  JSON.stringify({ type: "metrics", step: i, epoch: 1, phase: "heads", time: 1.7e9 + i, values: Object.fromEntries(Array.from({ length: VALUES }, (_, k) => [`train/m${k}`, Math.sin(i + k)])) });

async function pipeline(): Promise<{ rate: number; delivered: number }> {
  const home = mkdtempSync(join(tmpdir(), "bench-ingest-sub-"));
  const daemon = new Daemon({ home });
  insertRun(daemon.store.db, { id: "r", name: "bench", datasetName: "d", config: {}, configYaml: "" });
  const ac = new AbortController();
  setMaxListeners(50, ac.signal);
  let delivered = 0;
  const readers = Array.from({ length: 10 }, async () => {
    for await (const e of streamFrom(daemon.bus, "r", ac.signal)) if (e.type === "metrics") delivered += e.points.length;
  });
  const stalled = Array.from({ length: 10 }, () => streamFrom(daemon.bus, "r", ac.signal));
  for (const s of stalled) void s.next(); // subscribes; never read again
  const ingest = new RunIngest(daemon, "r", join(home, "runs"), "append", 50, 2000);
  const t0 = performance.now();
  for (let i = 0; i < LINES; i++) {
    ingest.push(line(i));
    if (i % 2000 === 1999) await new Promise((r) => setImmediate(r)); // let subscribers run, as the event loop would
  }
  ingest.flush();
  const seconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 50));
  const stored = countPoints(daemon.store.sqlite);
  if (stored !== POINTS) throw new Error(`stored ${stored} points, expected ${POINTS}`);
  ac.abort();
  daemon.bus.publish("r", { type: "log", runId: "r", level: "info", message: "end", time: 0 });
  await Promise.all(readers);
  ingest.close();
  daemon.store.close();
  rmSync(home, { recursive: true, force: true });
  return { rate: POINTS / seconds, delivered: delivered / 10 };
}

function reference(): number {
  const dir = mkdtempSync(join(tmpdir(), "bench-ingest-ref-"));
  const store = openStore(join(dir, "b.db"));
  store.sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml) VALUES ('r', 'b', 'd', '{}', '')").run();
  const writer = new IngestWriter(store.sqlite);
  const pts: MetricPoint[] = [];
  for (let i = 0; i < LINES; i++) for (let k = 0; k < VALUES; k++) pts.push({ runId: "r", key: `train/m${k}`, step: i, epoch: 1, phase: "heads", time: 1.7e9 + i, value: Math.sin(i + k) });
  const t0 = performance.now();
  for (let i = 0; i < pts.length; i += 2000 * VALUES) writer.write({ metrics: pts.slice(i, i + 2000 * VALUES), events: [], offsets: new Map([["r", i]]) });
  const rate = pts.length / ((performance.now() - t0) / 1000);
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return rate;
}

const ref = reference();
const full = await pipeline();
console.log(`points: ${POINTS.toLocaleString("en")} (${LINES.toLocaleString("en")} lines x ${VALUES} values), 20 subscribers (10 reading, 10 stalled)`);
console.log(`reference (bare batched SQLite writer):              ${Math.round(ref).toLocaleString("en")} points/s`);
console.log(`trainyard ingest (jsonl + parse + SQLite + 20 subs): ${Math.round(full.rate).toLocaleString("en")} points/s`);
console.log(`points each reading subscriber received live: ${Math.round(full.delivered).toLocaleString("en")} of ${POINTS.toLocaleString("en")} (the rest dropped, re-readable via runs.series)`);
console.log(`ratio to reference: ${(full.rate / ref).toFixed(2)}x; target >= 200,000 points/s: ${full.rate >= 200_000 ? "met" : "NOT met"}`);
process.exit(0);
