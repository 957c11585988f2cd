// Speed of the compare view in the real browser, against a daemon on a home seeded with synthetic runs
// (bench/web/seed-compare.ts). In `npm test` it runs at 50 runs × 6 metrics × 5,000 steps (1.5M points: the
// same code paths in CI time); the documented figures use the scale, 100,000 steps (30M points). Reports
// figures (test annotations and test-results/compare-speed.json); it asserts correctness (every chart
// drawn, no series over ~2,000 points), not timing thresholds, which would flake on a shared machine.
//   TRAINYARD_BENCH_RUNS=50 TRAINYARD_BENCH_STEPS=100000 npx playwright test e2e/compare-speed.spec.ts
// TRAINYARD_BENCH_HOME=DIR reuses (or seeds once and keeps) a home, to skip the ~80 s of seeding next time.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";

const RUNS = Number(process.env.TRAINYARD_BENCH_RUNS ?? 50);
const STEPS = Number(process.env.TRAINYARD_BENCH_STEPS ?? 5_000);
const PORT = 7392;
const METRICS = 6;

// the figures are the page's, not a trace recorder's: tracing snapshots the DOM and screenshots every action
test.use({ trace: "off", screenshot: "off" });

let home: string;
let daemon: ChildProcess;

test.beforeAll(async () => {
  test.setTimeout(30 * 60_000);
  home = process.env.TRAINYARD_BENCH_HOME ?? mkdtempSync(join(tmpdir(), "trainyard-speed-"));
  if (!existsSync(join(home, "trainyard.db"))) {
    const seed = spawnSync("npx", ["tsx", "bench/web/seed-compare.ts", home, String(RUNS), String(STEPS)], { stdio: "inherit" });
    if (seed.status !== 0) throw new Error("seeding failed");
  }
  daemon = spawn(process.execPath, ["bin/trainyard.mjs", "daemon", "--home", home, "--port", String(PORT)], { stdio: ["ignore", "inherit", "inherit"] });
  for (let i = 0; ; i++) {
    try {
      // "cold" means no chart data read since the daemon started, not a daemon still loading its code
      // (its chart workers, and the dashboard's pages it renders once at start)
      const health = await fetch(`http://127.0.0.1:${PORT}/healthz`);
      const h = health.ok ? ((await health.json()) as { chartWorkers?: string; web?: string }) : {};
      if (h.chartWorkers === "ready" && h.web !== "warming") break;
    } catch {
      // not yet listening
    }
    if (i > 400) throw new Error("speed daemon did not start");
    await new Promise((r) => setTimeout(r, 300));
  }
});

test.afterAll(async () => {
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
    const exited = new Promise((r) => daemon.once("exit", r));
    daemon.kill("SIGTERM");
    await exited;
  }
  if (!process.env.TRAINYARD_BENCH_HOME) rmSync(home, { recursive: true, force: true });
});

/**
 * Milliseconds from navigation start to the first `charts-drawn` mark that had every line; with `exact`,
 * the first whose smoothing was the daemon's exact full-resolution EMA everywhere (not the "≈" one).
 */
async function firstFullPaint(page: Page, lines: number, exact = false): Promise<number> {
  const match = ([n, ex]: [number, boolean]) =>
    performance.getEntriesByName("charts-drawn").find((m) => (m as PerformanceMark).detail?.lines === n && (!ex || (m as PerformanceMark).detail?.exact))?.startTime;
  await page.waitForFunction(match, [lines, exact] as [number, boolean], { timeout: 10 * 60_000 });
  return (await page.evaluate(match, [lines, exact] as [number, boolean]))!;
}

/** Milliseconds from a slider input event to the `charts-drawn` mark of the re-render it caused. */
async function sliderChange(page: Page, value: number): Promise<number> {
  return page.evaluate(async (v) => {
    const el = document.querySelector<HTMLInputElement>('[data-testid="smoothing"]')!;
    const before = performance.getEntriesByName("charts-drawn").length;
    const t0 = performance.now();
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(el, String(v));
    el.dispatchEvent(new Event("input", { bubbles: true }));
    for (;;) {
      const marks = performance.getEntriesByName("charts-drawn");
      if (marks.length > before) {
        await new Promise((r) => requestAnimationFrame(() => r(null))); // the frame that shows it
        return performance.now() - t0;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  }, value);
}

test(`compare view: ${RUNS} runs × ${METRICS} metrics × ${STEPS} steps`, async ({ page }) => {
  test.setTimeout(30 * 60_000);
  const ids = Array.from({ length: RUNS }, (_, r) => `bench-${String(r).padStart(3, "0")}`);
  const url = `http://127.0.0.1:${PORT}/compare?runs=${ids.join(",")}`;
  const figures: Record<string, number | number[]> = { runs: RUNS, metrics: METRICS, steps: STEPS, points: RUNS * METRICS * STEPS };

  for (const visit of ["cold", "warm"] as const) {
    await page.goto(url);
    figures[`firstPaintAllChartsMs_${visit}`] = Math.round(await firstFullPaint(page, RUNS * METRICS));
    figures[`exactSmoothingDrawnMs_${visit}`] = Math.round(await firstFullPaint(page, RUNS * METRICS, true));
    // where the time went: when the page's HTML and each daemon call finished (ms from navigation start)
    const timings = await page.evaluate(() => [
      ...performance.getEntriesByType("navigation").map((e) => ["document", (e as PerformanceNavigationTiming).responseEnd, undefined] as const),
      ...performance.getEntriesByType("resource")
        .filter((e) => e.name.includes("/api/trpc/"))
        .map((e) => [decodeURIComponent(new URL(e.name).pathname.split("/api/trpc/")[1]), (e as PerformanceResourceTiming).responseEnd, e.startTime] as const),
    ]);
    for (const [name, end, start] of timings) {
      figures[`${visit}_${name}_doneMs`] = Math.round(end);
      if (start !== undefined) figures[`${visit}_${name}_sentMs`] = Math.round(start);
    }
    await expect(page.getByTestId("compare-view")).toBeVisible();
    for (const key of ["train/loss", "val/auc_macro"]) await expect(page.getByTestId(`chart-${key}`)).toHaveAttribute("data-lines", String(RUNS));
  }
  const maxPerSeries = Number(await page.getByTestId("compare-view").getAttribute("data-max-series-points"));
  figures.maxPointsPerSeries = maxPerSeries;
  expect(maxPerSeries).toBeGreaterThan(0);
  expect(maxPerSeries).toBeLessThanOrEqual(2000);

  const slider: number[] = [];
  for (const v of [0.7, 0.8, 0.9, 0.95, 0.5, 0.3, 0.85]) {
    slider.push(Math.round(await sliderChange(page, v)));
    await page.waitForTimeout(400); // let the debounced exact-smoothing read land between samples
  }
  figures.sliderRerenderMs = slider;
  figures.sliderRerenderMedianMs = [...slider].sort((a, b) => a - b)[Math.floor(slider.length / 2)];
  await expect(page.getByTestId("smoothing-value")).toHaveText("0.85");

  mkdirSync("test-results", { recursive: true });
  writeFileSync("test-results/compare-speed.json", JSON.stringify(figures, null, 2));
  for (const [k, v] of Object.entries(figures)) test.info().annotations.push({ type: k, description: JSON.stringify(v) });
  console.log("compare-speed", JSON.stringify(figures));
  mkdirSync("docs/screenshots", { recursive: true });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: "docs/screenshots/compare-50-runs.png" });
});
