// Samples events through ingest, in process: stored in run_samples in the batch's transaction, pushed to
// subscribers as a notice, and replayed after a crash exactly once (a line cut by the crash is dropped,
// the lines the store already holds are not applied again).
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getRun, listSampleEvaluations, openStore, readSamples, type Store } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { EventBus, type LiveEvent } from "./event-bus.ts";
import { EVENTS_FILE, replayEvents, RunIngest } from "./ingest.ts";

const samplesLine = (epoch: number, extra: object = {}) =>
  JSON.stringify({
    type: "samples", split: "val", epoch, step: epoch * 10, time: 1000 + epoch,
    items: [
      { row: 3, boxes: [[10, 12, 50, 60, 0.91, "a"], [0, 0, 5, 5, 0.07, "b"]], truth: [[11, 11, 49, 61, "a"]] },
      { row: 8, boxes: [], truth: [] },
    ],
    ...extra,
  });

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.reverse()) c();
  cleanup = [];
});

function fixture(): { daemon: Daemon; store: Store; dir: string; events: LiveEvent[] } {
  const root = mkdtempSync(join(tmpdir(), "trainyard-samples-"));
  const store = openStore(join(root, "trainyard.db"));
  cleanup.push(() => rmSync(root, { recursive: true, force: true }), () => store.close());
  store.sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml, status) VALUES ('r', 'r', 'd', '{}', '', 'running')").run();
  const dir = join(root, "runs", "r");
  mkdirSync(dir, { recursive: true });
  const bus = new EventBus();
  const events: LiveEvent[] = [];
  bus.subscribe("r", (e) => events.push(e));
  // ingest touches only the store and the bus of the daemon
  return { daemon: { store, bus } as unknown as Daemon, store, dir, events };
}

describe("samples ingest", () => {
  it("stores each evaluation's items and pushes a notice to subscribers", () => {
    const { daemon, store, dir, events } = fixture();
    const ingest = new RunIngest(daemon, "r", dir);
    ingest.push(samplesLine(1));
    ingest.push(JSON.stringify({ type: "samples", split: "val", epoch: 2, step: 20, time: 2, items: [{ row: 3, boxes: [[1, 1, 0, 0, 0.5, "a"]], truth: [] }] }));
    ingest.close();
    expect(listSampleEvaluations(store.sqlite, "r")).toEqual([
      { split: "val", epoch: 1, step: 10, count: 2, time: 1001 },
      { split: "val", epoch: 2, step: 20, count: 1, time: 2 },
    ]);
    expect(readSamples(store.sqlite, "r", "val", 1)?.items).toEqual([
      { row: 3, boxes: [[10, 12, 50, 60, 0.91, "a"], [0, 0, 5, 5, 0.07, "b"]], truth: [[11, 11, 49, 61, "a"]] },
      { row: 8, boxes: [], truth: [] },
    ]);
    expect(readSamples(store.sqlite, "r", "val", 2)?.items).toEqual([{ row: 3, boxes: [], truth: [] }]);
    expect(readSamples(store.sqlite, "r", "val", 9)).toBeNull();
    expect(events.filter((e) => e.type === "samples")).toEqual([
      { type: "samples", runId: "r", split: "val", epoch: 1, step: 10, count: 2 },
      { type: "samples", runId: "r", split: "val", epoch: 2, step: 20, count: 1 },
    ]);
    // the inverted box is named in the run's log, once
    const warnings = store.sqlite.prepare("SELECT message FROM run_events WHERE run_id = 'r' AND type = 'log' AND level = 'warning'").pluck().all() as string[];
    expect(warnings).toEqual(["samples of val epoch 2: 1 part(s) dropped: item 0 (row 3) box 0: x1 < x0 or y1 < y0"]);
    expect(getRun(store.db, "r")!.eventsOffset).toBe(readFileSync(join(dir, EVENTS_FILE)).length);
  });

  it("an evaluation sampled again (a resumed attempt) replaces the earlier one", () => {
    const { daemon, store, dir } = fixture();
    const ingest = new RunIngest(daemon, "r", dir);
    ingest.push(samplesLine(1));
    ingest.flush();
    ingest.push(samplesLine(1, { step: 11, items: [{ row: 5, boxes: [], truth: [] }] }));
    ingest.close();
    expect(listSampleEvaluations(store.sqlite, "r")).toEqual([{ split: "val", epoch: 1, step: 11, count: 1, time: 1001 }]);
  });

  it("replays events.jsonl past the stored offset after a crash: every samples line once, the cut line dropped", () => {
    const { daemon, store, dir } = fixture();
    const ingest = new RunIngest(daemon, "r", dir);
    ingest.push(samplesLine(1));
    ingest.close(); // the store holds epoch 1 and its offset
    const file = join(dir, EVENTS_FILE);
    // the daemon died after the trainer printed these, before they reached the store; the last line is cut
    appendFileSync(file, samplesLine(2, { items: [{ row: 3, boxes: [[1, 1, 0, 0, 0.5, "a"]], truth: [] }] }) + "\n" + samplesLine(3) + "\n" + samplesLine(4).slice(0, 40));
    const offset = getRun(store.db, "r")!.eventsOffset;
    const first = replayEvents(daemon, "r", dir, offset);
    expect(first.lines).toBe(2);
    expect(listSampleEvaluations(store.sqlite, "r").map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(readFileSync(file, "utf8").endsWith("\n")).toBe(true); // the cut line is gone
    // a second restart finds nothing new: nothing is applied twice (the dropped-box warning is a plain log row)
    const second = replayEvents(daemon, "r", dir, getRun(store.db, "r")!.eventsOffset);
    expect(second.lines).toBe(0);
    const warnings = store.sqlite.prepare("SELECT count(*) FROM run_events WHERE run_id = 'r' AND level = 'warning'").pluck().get();
    expect(warnings).toBe(1);
    expect(getRun(store.db, "r")!.eventsOffset).toBe(readFileSync(file).length);
  });
});
