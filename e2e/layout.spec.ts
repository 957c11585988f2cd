// Layout of every dashboard page at 1280 and 1920 px, light and dark, against committed baselines
// (e2e/layout.spec.ts-snapshots/), plus checks that do not depend on pixels: form fields inside their
// grid cells and cards, the runs table's header on one row over its own columns, one-line dates, the
// slot each run runs on. Regenerate the baselines after an intended change:
//   npx playwright test e2e/layout.spec.ts --update-snapshots   (then look at them)
// Deterministic data: its own daemon on its own home, with finished runs written into the store at fixed
// times before it starts, a small generated dataset, and two runs of the stand-in trainer (one running,
// one queued behind it) whose ids, dates and live numbers are masked.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { loadConfig } from "@trainyard/config";
import { generateDemoDataset } from "@trainyard/data";
import { IngestWriter, insertRun, openStore, sealRun, tables, type MetricPoint } from "@trainyard/db";
import { makeClient } from "../daemon/src/cli/client.ts";
import { dataset, labels } from "../daemon/src/cli/dataset-commands.ts";
import { E2E_PORT } from "../playwright.config.ts";
import { NewRunPage } from "./pages/new-run-page.ts";

const PORT = Number(process.env.TRAINYARD_LAYOUT_PORT ?? E2E_PORT + 5);
const URL = `http://127.0.0.1:${PORT}`;
const WIDTHS = [1280, 1920] as const;
const SCHEMES = ["light", "dark"] as const;
const HEIGHT = 900;
/** Pixels that may differ (anti-aliasing of text and canvas lines between runs). */
const TOLERANCE = { maxDiffPixelRatio: 0.01, threshold: 0.2 } as const;

// the same dates and number formats on every machine
test.use({ baseURL: URL, timezoneId: "UTC", locale: "en-US", trace: "off" });
test.describe.configure({ mode: "serial" });

let home: string;
let source: string;
let daemon: ChildProcess;
/** Ids of the stand-in trainer's runs (random, created now): masked in pictures. */
const live = { running: "", queued: "" };

const T0 = Date.UTC(2025, 10, 20, 9, 0, 0); // 20 Nov 2025, 09:00 UTC
const CLASSES = ["melanoma", "nevus", "keratosis", "other"];

interface Seed {
  id: string;
  name: string;
  status: string;
  owner: string;
  gpus: number;
  slots: string[];
  epochs: number;
  /** Epochs it trained (metrics written up to here). */
  reached: number;
  lr: number;
  backbone: string;
  best?: number;
  error?: string;
  startHour: number;
}

const SEEDS: Seed[] = [
  { id: "lay-gpu2", name: "resnet50-baseline-448px-strong-augmentation", status: "completed", owner: "alice", gpus: 2, slots: ["gpu:0", "gpu:1"], epochs: 10, reached: 10, lr: 2e-3, backbone: "resnet50", best: 0.8712, startHour: 0 },
  { id: "lay-cpu", name: "effnet-cpu", status: "completed", owner: "bob", gpus: 1, slots: ["cpu:0"], epochs: 10, reached: 10, lr: 3e-4, backbone: "efficientnet_b0", best: 0.8231, startHour: 5 },
  { id: "lay-fail", name: "lr-sweep-3e-3", status: "failed", owner: "alice", gpus: 1, slots: ["gpu:1"], epochs: 10, reached: 3, lr: 3e-3, backbone: "resnet50", error: "trainer exited with code 1: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB", startHour: 9 },
  { id: "lay-cancel", name: "cpu-only-smoke", status: "cancelled", owner: "carol", gpus: 0, slots: [], epochs: 10, reached: 0, lr: 1e-3, backbone: "baseline_cnn", startHour: 12 },
];
const STEPS_PER_EPOCH = 40;

function configYaml(s: Seed): string {
  return readFileSync("configs/demo.yaml", "utf8")
    .replace(/^name: demo$/m, `name: ${s.name}`)
    .replace("backbone: baseline_cnn", `backbone: ${s.backbone}`)
    .replace("lr: 2.0e-3", `lr: ${s.lr}`)
    .replace("resources: {gpus: 1, priority: 50}", `resources: {gpus: ${s.gpus}, priority: 50}`);
}

/** Finished runs with their metrics, logs and checkpoints, written into the store at fixed times. */
function seedStore(dir: string) {
  const store = openStore(join(dir, "trainyard.db"));
  const writer = new IngestWriter(store.sqlite);
  for (const s of SEEDS) {
    const yaml = configYaml(s);
    const config = loadConfig(yaml, [], `${s.name}.yaml`) as unknown as Record<string, unknown>;
    const created = T0 + s.startHour * 3_600_000;
    const started = s.reached ? created + 60_000 : null;
    const secondsPerEpoch = 118 + (s.gpus === 2 ? 0 : 61);
    const ended = created + 60_000 + s.reached * secondsPerEpoch * 1000 + 30_000;
    insertRun(store.db, {
      id: s.id, name: s.name, status: s.status, datasetName: "demo", config, configYaml: yaml, classes: CLASSES, owner: s.owner,
      priority: 50, gpus: s.gpus, attempt: s.reached ? 1 : 0, slots: s.slots, phase: s.reached ? "finetune" : null,
      epoch: s.reached, epochs: s.epochs, step: s.reached * STEPS_PER_EPOCH, steps: s.epochs * STEPS_PER_EPOCH,
      bestName: s.best ? "val/auc_macro" : null, bestValue: s.best ?? null, bestEpoch: s.best ? s.reached - 1 : null,
      error: s.error ?? null, stderrTail: s.error ? "Traceback (most recent call last):\n  ...\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n" : null,
      exitCode: s.error ? 1 : s.status === "completed" ? 0 : null, createdAt: created, startedAt: started, endedAt: ended, queuedAt: created,
    });
    if (!s.reached) continue;
    const points: MetricPoint[] = [];
    const t0 = (started ?? created) / 1000;
    const slow = s.backbone === "resnet50" ? 1 : 1.4;
    for (let step = 1; step <= s.reached * STEPS_PER_EPOCH; step++) {
      const epoch = Math.ceil(step / STEPS_PER_EPOCH);
      const phase = epoch <= 2 ? "heads" : "finetune";
      const time = t0 + (step / STEPS_PER_EPOCH) * secondsPerEpoch;
      const wiggle = 0.04 * Math.sin(step * 1.7) + 0.02 * Math.cos(step * 0.37);
      const at = (key: string, value: number): MetricPoint => ({ runId: s.id, key, step, epoch, phase, time, value });
      if (step % 2 === 0) points.push(at("train/loss", 0.3 + 0.9 * Math.exp(-step / (90 * slow)) + wiggle));
      const progress = (step - 1) / (s.epochs * STEPS_PER_EPOCH);
      points.push(at("train/lr", epoch <= 2 ? 3e-3 : s.lr * 0.5 * (1 + Math.cos(Math.PI * progress))));
      if (step % 4 === 0) points.push(at("train/img_per_s", 800 / slow + 25 * Math.sin(step * 0.9)));
      if (step % STEPS_PER_EPOCH === 0) {
        const auc = 0.6 + (0.27 / slow) * (1 - Math.exp(-epoch / 3));
        points.push(at("val/loss", 0.45 + 0.7 * Math.exp(-epoch / 2.5)), at("val/auc_macro", auc), at("val/map", auc - 0.21));
        CLASSES.forEach((c, i) => points.push(at(`val/auc/${c}`, auc - 0.05 + 0.03 * i)));
      }
    }
    if (s.status === "completed") {
      const last = s.reached * STEPS_PER_EPOCH;
      const time = t0 + s.reached * secondsPerEpoch + 20;
      for (const [key, value] of [["test/auc_macro", s.best! - 0.012], ["test/map", s.best! - 0.23], ["test/loss", 0.52]] as const)
        points.push({ runId: s.id, key, step: last, epoch: s.reached, phase: null, time, value });
    }
    const log = (i: number, level: string, message: string) => ({ runId: s.id, type: "log", level, message, payload: JSON.stringify({ level, message }), time: t0 + i * 7 });
    const events = [
      log(0, "info", `trainer started (${s.slots.join(", ")})`),
      log(1, "info", "dataset demo: 212 train / 46 val / 45 test images"),
      log(2, "info", "phase heads: 2 epochs, lr 3e-3"),
      log(3, s.error ? "error" : "info", s.error ?? `best val/auc_macro ${s.best} at epoch ${s.reached - 1}`),
    ];
    writer.write({ metrics: points, events, offsets: new Map() });
    sealRun(store.sqlite, s.id);
    if (s.status === "completed") {
      for (const [name, epoch] of [["best", s.reached - 1], ["last", s.reached]] as const)
        store.db.insert(tables.checkpoints).values({ runId: s.id, name, epoch, step: epoch * STEPS_PER_EPOCH, path: `checkpoints/${name}`, monitorName: "val/auc_macro", monitorValue: s.best!, createdAt: ended }).run();
    }
  }
  store.close();
}

const since = performance.now();
const mark = (what: string) => console.log(`layout setup: ${what} at ${((performance.now() - since) / 1000).toFixed(1)} s`);

test.beforeAll(async () => {
  test.setTimeout(180_000);
  home = mkdtempSync(join(tmpdir(), "trainyard-layout-"));
  source = mkdtempSync(join(tmpdir(), "trainyard-layout-src-"));
  seedStore(home);
  mark("store seeded");
  const taken = await fetch(`${URL}/healthz`).then(() => true, () => false);
  if (taken) throw new Error(`port ${PORT} is already in use: stop what listens there, or set TRAINYARD_LAYOUT_PORT`);
  daemon = spawn(process.execPath, ["bin/trainyard.mjs", "daemon", "--home", home, "--port", String(PORT), "--cpu-slots", "1"], {
    stdio: ["ignore", "inherit", "inherit"],
    // the stand-in trainer: no PyTorch, and a run that stays "running" while the pictures are taken
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", TRAINYARD_TRAINER_CMD: JSON.stringify([process.execPath, join(process.cwd(), "daemon/test/fake-trainer.mjs")]), TRAINYARD_KILL_GRACE_MS: "3000" },
  });
  const data = await generateDemoDataset({ outDir: source, patients: 150, size: 32, seed: 7 });
  mark("dataset generated");
  for (let i = 0; ; i++) {
    if (daemon.exitCode !== null) throw new Error(`the layout daemon exited with ${daemon.exitCode}`);
    const h = await fetch(`${URL}/healthz`).then((r) => (r.ok ? (r.json() as Promise<{ web?: string }>) : null), () => null);
    if (h?.web === "failed") throw new Error("the layout daemon could not render its pages");
    if (h && h.web !== "warming") break;
    if (i > 400) throw new Error("the layout daemon did not start within 120 s");
    await new Promise((r) => setTimeout(r, 300));
  }
  mark("daemon ready");
  // the CLI's own commands, in this process (a CLI process per call costs seconds of start-up)
  const client = makeClient(URL);
  const imported = await dataset(client, ["import", "demo", "--manifest", data.manifest, "--images", data.imagesDir, "--image-col", "image_id", "--group-col", "patient_id", "--label-col", "diagnosis", "--check", "exists"]);
  if (imported !== 0) throw new Error("the dataset import failed");
  if ((await labels(client, ["add", "demo3", "configs/labels/demo3.txt"])) !== 0) throw new Error("the label set was refused");
  mark("dataset imported");
  // one run holds the only slot, so the next one waits in the queue
  const running = configYaml({ ...SEEDS[1], name: "layout-running" }).replace(/^name: .*$/m, "name: layout-running\ntags: [steps=1000, interval=600000]");
  const queued = running.replace("name: layout-running", "name: layout-queued");
  live.running = (await client.runs.submit.mutate({ yaml: running, overrides: [] })).id;
  live.queued = (await client.runs.submit.mutate({ yaml: queued, overrides: [] })).id;
  for (let i = 0; ; i++) {
    const status = await client.runs.get.query({ id: live.running });
    if (status.status === "running") break;
    if (status.status !== "queued" || i > 100) throw new Error(`the stand-in run is ${status.status}: ${status.error}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  mark("runs submitted");
});

test.afterAll(async () => {
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
    const exited = new Promise((r) => daemon.once("exit", r));
    daemon.kill("SIGTERM");
    await exited;
  }
  for (const dir of [home, source]) if (dir) rmSync(dir, { recursive: true, force: true });
});

interface PageCase {
  name: string;
  path: string;
  /** Waits until the page shows its data. */
  ready: (page: Page) => Promise<void>;
  /** What still varies between runs of the suite. */
  mask: (page: Page) => Locator[];
}

const liveRowParts = (page: Page) =>
  [live.running, live.queued].flatMap((id) => {
    const row = page.locator(`[data-testid="run-row"][data-run-id="${id}"]`);
    return ["run-id", "run-created", "run-duration"].map((t) => row.getByTestId(t)).concat(row.locator('[data-col="progress"]'));
  });

const PAGES: PageCase[] = [
  {
    name: "runs",
    path: "/",
    ready: async (page) => {
      await expect(page.getByTestId("run-row")).toHaveCount(SEEDS.length + 2);
      await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-state", "pending");
    },
    mask: liveRowParts,
  },
  {
    name: "new-run",
    path: "/runs/new",
    ready: async (page) => {
      const form = new NewRunPage(page);
      await form.chooseExample("configs/demo.yaml");
      await expect(form.valid).toBeVisible({ timeout: 30_000 });
      await expect(page.getByTestId("dataset-preview")).toHaveAttribute("aria-busy", "false");
    },
    mask: () => [],
  },
  {
    name: "run",
    path: "/runs/lay-gpu2",
    ready: async (page) => {
      await expect(page.getByTestId("run-name")).toHaveText(SEEDS[0].name);
      await expect(page.getByTestId("chart-train/loss")).toHaveAttribute("data-points", "210"); // train 200 + val 10
      await expect(page.getByTestId("chart-note")).toHaveCount(0); // the exact smoothing is in
    },
    mask: () => [],
  },
  {
    name: "compare",
    path: "/compare?runs=lay-gpu2,lay-cpu",
    ready: async (page) => {
      await expect(page.getByTestId("compare-view")).toBeVisible();
      await expect(page.getByTestId("chart-train/loss")).toHaveAttribute("data-lines", "2");
      await expect(page.getByTestId("chart-note")).toHaveCount(0);
    },
    mask: () => [],
  },
  {
    name: "datasets",
    path: "/datasets",
    ready: async (page) => {
      await expect(page.getByRole("link", { name: "demo", exact: true })).toBeVisible();
    },
    mask: (page) => [page.getByTestId("datasets-table").locator("tbody td:last-child")], // imported at
  },
  {
    name: "dataset",
    path: "/datasets/demo",
    ready: async (page) => {
      await expect(page.getByRole("heading", { name: "demo" })).toBeVisible();
      await expect(page.getByRole("checkbox", { name: "melanoma" })).toBeVisible();
    },
    mask: (page) => [page.locator("p", { hasText: "images in" })], // the generated dataset's temporary folder
  },
  {
    name: "labels",
    path: "/labels",
    ready: async (page) => {
      await expect(page.getByRole("checkbox", { name: "nevus" })).toBeVisible();
      await expect(page.getByRole("cell", { name: "demo3" })).toBeVisible();
    },
    mask: () => [],
  },
  {
    name: "sign-in",
    path: "/sign-in",
    ready: async (page) => {
      await expect(page.locator("form").first()).toBeVisible();
    },
    mask: () => [],
  },
];

for (const p of PAGES) {
  test(`layout of ${p.name} at ${WIDTHS.join(" and ")} px, light and dark`, async ({ page }) => {
    await page.setViewportSize({ width: WIDTHS[0], height: HEIGHT });
    await page.emulateMedia({ colorScheme: SCHEMES[0], reducedMotion: "reduce" });
    await page.goto(p.path);
    await p.ready(page);
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
      for (const width of WIDTHS) {
        // every scheme starts with a change of width, which redraws the canvas charts in its colours
        await page.setViewportSize({ width, height: HEIGHT });
        await page.mouse.move(0, 0);
        await noHorizontalOverflow(page);
        await expect(page).toHaveScreenshot(`${p.name}-${width}-${scheme}.png`, { fullPage: true, mask: p.mask(page), animations: "disabled", caret: "hide", ...TOLERANCE });
      }
    }
  });
}

// ---- checks that do not depend on pixels ----

type Box = { x: number; y: number; width: number; height: number };
const right = (b: Box) => b.x + b.width;
const bottom = (b: Box) => b.y + b.height;
/** `inner` lies within `outer`, to half a pixel. */
function inside(inner: Box, outer: Box): boolean {
  return inner.x >= outer.x - 0.5 && inner.y >= outer.y - 0.5 && right(inner) <= right(outer) + 0.5 && bottom(inner) <= bottom(outer) + 0.5;
}
function overlaps(a: Box, b: Box): boolean {
  return a.x < right(b) - 0.5 && b.x < right(a) - 0.5 && a.y < bottom(b) - 0.5 && b.y < bottom(a) - 0.5;
}

async function noHorizontalOverflow(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll, "the page scrolls sideways: something is wider than the window").toBeLessThanOrEqual(client);
}

/** Lines of text each element's content takes: the rows (tops more than 3 px apart) of its text's boxes. */
function textLines(els: Element[]): number[] {
  return els.map((el) => {
    const tops: number[] = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent?.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) if (r.width > 1) tops.push(r.top);
    }
    tops.sort((a, b) => a - b);
    return tops.filter((t, i) => i === 0 || t - tops[i - 1] > 3).length;
  });
}

// 1400 px is where the issue was seen; past 1368 px the page is at its 1,320 px maximum
const CHECK_WIDTHS = [1280, 1400] as const;

test(`runs table at ${CHECK_WIDTHS.join(" and ")} px: header on one row over its columns, one-line dates, slots`, async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("run-row")).toHaveCount(SEEDS.length + 2);
  for (const width of CHECK_WIDTHS) {
    await page.setViewportSize({ width, height: HEIGHT });
    const head = page.getByTestId("runs-head");
    const headBox = (await head.boundingBox())!;
    const headers = await head.locator('[role="columnheader"]').evaluateAll((els) =>
      els.map((el) => ({ col: el.getAttribute("data-col"), box: el.getBoundingClientRect().toJSON() as Box, text: el.textContent ?? "" })),
    );
    const row = page.getByTestId("run-row").first();
    const cells = await row.locator('[role="cell"]').evaluateAll((els) => els.map((el) => ({ col: el.getAttribute("data-col"), box: el.getBoundingClientRect().toJSON() as Box })));
    expect(headers.map((h) => h.col)).toEqual(cells.map((c) => c.col));
    const selectCells = await page.getByTestId("run-row").locator('[data-col="select"]').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as Box));
    for (const [i, h] of headers.entries()) {
      expect(inside(h.box, headBox), `header "${h.text}" leaves the header row`).toBe(true);
      // each header sits over its own column's cells
      expect(Math.abs(h.box.x - cells[i].box.x), `header "${h.text}" is not over its column`).toBeLessThanOrEqual(0.5);
      expect(Math.abs(h.box.width - cells[i].box.width)).toBeLessThanOrEqual(0.5);
      if (i > 0) expect(h.box.x, `header "${h.text}" starts before the previous one ends`).toBeGreaterThanOrEqual(right(headers[i - 1].box));
      if (h.col !== "select") for (const s of selectCells) expect(overlaps(h.box, s), `header "${h.text}" covers a row checkbox`).toBe(false);
    }
    const lines = await head.locator('[role="columnheader"]').evaluateAll(textLines);
    expect(lines.every((n) => n <= 1), `a header wraps: ${JSON.stringify(headers.map((h, i) => [h.text, lines[i]]))}`).toBe(true);
    const created = await page.getByTestId("run-created").evaluateAll(textLines);
    expect(created.every((n) => n === 1), `a "Created" cell is not one line: ${created}`).toBe(true);
    for (const [id, text] of [["lay-cpu", "cpu"], ["lay-gpu2", "gpu 0,1"], ["lay-cancel", "CPU"], [live.queued, "1 GPU"], [live.running, "cpu"]])
      await expect(page.locator(`[data-testid="run-row"][data-run-id="${id}"]`).getByTestId("run-slots")).toHaveText(text);
    await expect(page.locator(`[data-testid="run-row"][data-run-id="${live.queued}"]`).getByTestId("queue-position")).toHaveText("1");
  }
});

test(`new-run form at ${CHECK_WIDTHS.join(" and ")} px: every field inside its grid cell and its card`, async ({ page }) => {
  await page.goto("/runs/new");
  await new NewRunPage(page).chooseExample("configs/demo.yaml");
  await expect(page.getByTestId("config-form")).toBeVisible();
  await page.getByTestId("label-set-picker").selectOption("(inline)"); // the label picker too
  await expect(page.getByTestId("label-picker")).toBeVisible();
  for (const width of CHECK_WIDTHS) {
    await page.setViewportSize({ width, height: HEIGHT });
    const problems = await page.getByTestId("config-form").evaluate((form) => {
      const box = (el: Element) => el.getBoundingClientRect();
      const within = (a: DOMRect, b: DOMRect) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
      const name = (el: Element) => el.querySelector("label")?.textContent?.trim() || el.getAttribute("data-testid") || el.className;
      const out: string[] = [];
      const column = form.parentElement!.getBoundingClientRect();
      for (const card of form.querySelectorAll(".form-section")) {
        const c = box(card);
        const legend = card.querySelector("legend")?.textContent ?? "?";
        if (!within(c, column)) out.push(`card "${legend}" (${Math.round(c.left)}–${Math.round(c.right)}) leaves the form column (${Math.round(column.left)}–${Math.round(column.right)})`);
        for (const child of card.querySelectorAll(".fields, .label-picker, .phase-table, [data-testid=dataset-preview]"))
          if (!within(box(child), c)) out.push(`${child.className || child.getAttribute("data-testid")} in "${legend}" runs past its card`);
        for (const grid of card.querySelectorAll(".fields")) {
          const fields = [...grid.children];
          fields.forEach((f, i) => {
            const fb = box(f);
            if (!within(fb, box(grid))) out.push(`field "${name(f)}" in "${legend}" leaves its grid`);
            for (const control of f.querySelectorAll("input, select, textarea")) {
              const cb = box(control);
              if (!within(cb, fb)) out.push(`the control of "${name(f)}" in "${legend}" spills out of its cell (${Math.round(cb.left)}–${Math.round(cb.right)} in ${Math.round(fb.left)}–${Math.round(fb.right)})`);
            }
            for (const other of fields.slice(i + 1)) {
              const ob = box(other);
              if (fb.left < ob.right - 0.5 && ob.left < fb.right - 0.5 && fb.top < ob.bottom - 0.5 && ob.top < fb.bottom - 0.5) out.push(`fields "${name(f)}" and "${name(other)}" overlap`);
            }
          });
        }
      }
      return out;
    });
    expect(problems, `at ${width} px`).toEqual([]);
    // the YAML editor beside the form keeps a readable width (side by side with the checks it had ~130 px)
    const yaml = (await new NewRunPage(page).yaml.boundingBox())!;
    expect(yaml.width, "the YAML editor is squeezed").toBeGreaterThanOrEqual(320);
    await noHorizontalOverflow(page);
  }
});

test("a change of the system theme redraws the charts in its colours, without a resize or a reload", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: HEIGHT });
  await page.emulateMedia({ colorScheme: "light", reducedMotion: "reduce" });
  await page.goto("/runs/lay-gpu2");
  const chart = page.getByTestId("chart-train/loss").locator("canvas").first();
  await expect(chart).toBeVisible();
  // the base canvas fills its background with --surface: read a corner pixel, compare with the variable
  const corner = () => chart.evaluate((c: HTMLCanvasElement) => Array.from(c.getContext("2d")!.getImageData(1, 1, 1, 1).data.slice(0, 3)));
  const surface = () => page.evaluate(() => {
    const probe = document.createElement("div");
    probe.style.color = getComputedStyle(document.documentElement).getPropertyValue("--surface");
    document.body.append(probe);
    const rgb = getComputedStyle(probe).color.match(/\d+/g)!.slice(0, 3).map(Number);
    probe.remove();
    return rgb;
  });
  await expect.poll(corner).toEqual(await surface());
  const light = await corner();
  await page.emulateMedia({ colorScheme: "dark", reducedMotion: "reduce" });
  await expect.poll(corner).toEqual(await surface());
  expect(await corner()).not.toEqual(light);
});
