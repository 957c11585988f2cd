// A detection run's sampled evaluations against a real daemon that requires tokens: the samples in
// events.jsonl survive daemon restarts exactly once (crash replay), charts.sampleEvaluations / charts.samples
// answer them with each image's URL and source size, and GET /api/runs/<id>/images/<row>.png serves the
// cache row cropped to the letterboxed content, refusing unknown runs and rows (404), rows outside the
// run (400) and callers without a token (401).
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeNpy } from "@trainyard/data";
import { openStore } from "@trainyard/db";
import { makeClient } from "../src/cli/client.ts";
import { startDaemon, withToken, type DaemonProcess } from "./daemon-process.ts";

const home = mkdtempSync(join(tmpdir(), "trainyard-sample-images-"));
const SIZE = 32;
// three source images letterboxed into 32 x 32: 64x32 (scaled 0.5, 8 px bars top and bottom), 16x32
// (scaled 1, 8 px bars left and right), and one the run does not use
const GEOMETRY = [
  [0.5, 0.5, 0, 8, 64, 32],
  [1, 1, 8, 0, 16, 32],
  [1, 1, 0, 0, 32, 32],
];
const COLORS = [[200, 30, 40], [20, 180, 60], [10, 10, 200]];
const env = { TRAINYARD_AUTH: "required" };
let d: DaemonProcess;
let token = "";
const client = () => withToken(token, () => makeClient(d.url));
const image = (path: string, auth = true) => fetch(`${d.url}${path}`, { headers: auth ? { authorization: `Bearer ${token}` } : {} });

const samples = (epoch: number, extra: object = {}) =>
  JSON.stringify({
    type: "samples", split: "val", epoch, step: epoch * 100, time: 1700000000 + epoch,
    items: [
      { row: 0, boxes: [[4, 2, 40, 30, 0.8, "circle"], [1, 1, 3, 3, 0.1, "square"]], truth: [[5, 3, 41, 29, "circle"]] },
      { row: 1, boxes: [], truth: [] },
    ],
    ...extra,
  });

/** Pixels of a letterboxed cache square: black bars, the content region in the row's colour. */
function cacheSquare(row: number): Buffer {
  const [sx, sy, px, py, w, h] = GEOMETRY[row];
  const buf = Buffer.alloc(SIZE * SIZE * 3);
  for (let y = py; y < py + h * sy; y++) for (let x = px; x < px + w * sx; x++) buf.set(COLORS[row], (y * SIZE + x) * 3);
  return buf;
}

beforeAll(async () => {
  const store = openStore(join(home, "trainyard.db"));
  const config = { dataset: { name: "shapes", image_size: SIZE }, training: { task: "detection" } };
  store.sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml, status, events_offset) VALUES ('det', 'det', 'shapes', ?, '', 'running', 0)").run(JSON.stringify(config));
  store.close();
  const cache = join(home, "cache", "shapes", String(SIZE));
  mkdirSync(cache, { recursive: true });
  writeFileSync(join(cache, "images.u8"), Buffer.concat([0, 1, 2].map(cacheSquare)));
  writeFileSync(join(cache, "index.json"), JSON.stringify({ version: 2, size: SIZE, fit: "pad", count: 3, rows: [0, 1, 2], unreadable: [], geometry: GEOMETRY }));
  const run = join(home, "runs", "det");
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, "rows.npy"), encodeNpy(Int32Array.from([0, 1]), [2]));
  // what the trainer had printed when the previous daemon died: two evaluations (one with a bad box) and
  // the end of the run, then half a line
  const bad = samples(2, { items: [{ row: 0, boxes: [[9, 9, 1, 1, 0.5, "circle"], [0, 0, 8, 8, 0.6, "circle"]], truth: [] }] });
  writeFileSync(join(run, "events.jsonl"), [samples(1), bad, JSON.stringify({ type: "done", state: "completed", time: 1700000009 })].join("\n") + "\n" + samples(3).slice(0, 30));
  d = await startDaemon({ home, env });
  const first = await d.cli(["user", "add", "root", "--admin"]);
  expect(first.code, first.stderr).toBe(0);
  token = first.stdout.trim();
});
afterAll(async () => {
  await d?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("sampled evaluations", () => {
  it("are replayed from events.jsonl at start, with each image's URL and source size", async () => {
    expect(await client().charts.sampleEvaluations.query({ id: "det" })).toEqual([
      { split: "val", epoch: 1, step: 100, count: 2, time: 1700000001 },
      { split: "val", epoch: 2, step: 200, count: 1, time: 1700000002 },
    ]);
    const one = await client().charts.samples.query({ id: "det", split: "val", epoch: 1 });
    expect(one.items).toEqual([
      { row: 0, boxes: [[4, 2, 40, 30, 0.8, "circle"], [1, 1, 3, 3, 0.1, "square"]], truth: [[5, 3, 41, 29, "circle"]], image: "/api/runs/det/images/0.png", source: [64, 32] },
      { row: 1, boxes: [], truth: [], image: "/api/runs/det/images/1.png", source: [16, 32] },
    ]);
    expect((await client().charts.samples.query({ id: "det", split: "val", epoch: 2 })).items[0].boxes).toEqual([[0, 0, 8, 8, 0.6, "circle"]]);
    await expect(client().charts.samples.query({ id: "det", split: "val", epoch: 7 })).rejects.toThrow(/run det sampled no images at val epoch 7/);
    await expect(client().charts.sampleEvaluations.query({ id: "ghost" })).rejects.toThrow(/no run "ghost"/);
  });

  it("survive another restart exactly once, and later lines are added", async () => {
    await d.stop();
    // the run was "running" again when the daemon died a second time, with one more evaluation printed
    const store = openStore(join(home, "trainyard.db"));
    store.sqlite.prepare("UPDATE runs SET status = 'running' WHERE id = 'det'").run();
    store.close();
    appendFileSync(join(home, "runs", "det", "events.jsonl"), samples(3) + "\n" + JSON.stringify({ type: "done", state: "completed", time: 1700000010 }) + "\n");
    d = await startDaemon({ home, env });
    expect((await client().charts.sampleEvaluations.query({ id: "det" })).map((e) => e.epoch)).toEqual([1, 2, 3]);
    const logs = (await client().runs.logs.query({ id: "det", limit: 2000 })).map((l) => l.message);
    // the dropped box of epoch 2 was logged when its line was stored, and only then
    expect(logs.filter((m) => m.startsWith("samples of val epoch 2"))).toEqual(["samples of val epoch 2: 1 part(s) dropped: item 0 (row 0) box 0: x1 < x0 or y1 < y0"]);
    expect(logs.filter((m) => /event lines replayed/.test(m)).map((m) => m.match(/(\d+) event lines replayed/)?.[1])).toEqual(["3", "2"]);
  });
});

describe("GET /api/runs/<id>/images/<row>.png", () => {
  it("serves a row cropped to its content, in the cache's pixels", async () => {
    for (const [row, w, h] of [[0, 32, 16], [1, 16, 32]] as const) {
      const res = await image(`/api/runs/det/images/${row}.png`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
      expect([res.headers.get("x-source-width"), res.headers.get("x-source-height")]).toEqual([String(GEOMETRY[row][4]), String(GEOMETRY[row][5])]);
      const { data, info } = await sharp(Buffer.from(await res.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([w, h, 3]);
      // no letterbox bar left: every pixel is the content's colour
      const off = [...Array(w * h).keys()].filter((i) => data[i * 3] !== COLORS[row][0] || data[i * 3 + 1] !== COLORS[row][1] || data[i * 3 + 2] !== COLORS[row][2]);
      expect(off).toEqual([]);
    }
  });

  it("needs a token like every API route", async () => {
    const res = await image("/api/runs/det/images/0.png", false);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(/token/);
  });

  it("refuses unknown runs and rows with 404, rows outside the run with 400, each saying why", async () => {
    const cases: [string, number, RegExp][] = [
      ["/api/runs/ghost/images/0.png", 404, /no run "ghost"/],
      ["/api/runs/det/images/9.png", 404, /dataset "shapes" has no row 9 \(its image cache holds rows 0 to 2\)/],
      ["/api/runs/det/images/abc.png", 404, /no image row "abc": rows are numbers/],
      ["/api/runs/det/images/2.png", 400, /row 2 of dataset "shapes" is not one of run det's samples/],
    ];
    for (const [path, status, message] of cases) {
      const res = await image(path);
      expect(res.status, path).toBe(status);
      expect(((await res.json()) as { error: string }).error, path).toMatch(message);
    }
    const post = await fetch(`${d.url}/api/runs/det/images/0.png`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{}" });
    expect(post.status).toBe(405);
  });
});
