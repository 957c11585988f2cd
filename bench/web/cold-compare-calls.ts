// The compare view's daemon calls without a browser: a fresh daemon on a seeded home (bench/web/seed-compare.ts),
// then the calls the page sends (document, summaries + keys batched, series and smoothing alone, in parallel) while the
// daemon's own /healthz is probed every 50 ms. Separates the daemon's share of the cold first paint from the
// browser's (e2e/compare-speed.spec.ts measures both together).
//   npx tsx bench/web/seed-compare.ts /tmp/webbench          # once (~12 s)
//   npx tsx bench/web/cold-compare-calls.ts /tmp/webbench [runs=50]
import { spawn } from "node:child_process";
import { SEED_KEYS } from "./seed-compare.ts";

const home = process.argv[2];
if (!home) throw new Error("usage: npx tsx bench/web/cold-compare-calls.ts HOME [runs]");
const runs = Array.from({ length: Number(process.argv[3] ?? 50) }, (_, r) => `bench-${String(r).padStart(3, "0")}`);
const PORT = 7394;
const base = `http://127.0.0.1:${PORT}`;
const daemon = spawn(process.execPath, ["bin/trainyard.mjs", "daemon", "--home", home, "--port", String(PORT)], { stdio: "ignore" });
try {
  for (let i = 0; ; i++) {
    try {
      const h = (await (await fetch(`${base}/healthz`)).json()) as { chartWorkers?: string; web?: string };
      if (h.chartWorkers === "ready" && h.web !== "warming") break;
    } catch {
      // not listening yet
    }
    if (i > 300) throw new Error("the daemon did not start");
    await new Promise((r) => setTimeout(r, 200));
  }
  const q = (o: unknown) => encodeURIComponent(JSON.stringify(o));
  let done = false;
  let worstHealthz = 0;
  const probe = (async () => {
    while (!done) {
      const t = performance.now();
      await fetch(`${base}/healthz`);
      worstHealthz = Math.max(worstHealthz, performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const t0 = performance.now();
  const at = () => Math.round(performance.now() - t0);
  await (await fetch(`${base}/compare?runs=${runs.join(",")}`)).text();
  const documentMs = at();
  const series = { runs, keys: SEED_KEYS, maxPoints: 400 };
  let seriesBytes = 0;
  const [seriesMs, smoothingMs, summariesMs] = await Promise.all([
    fetch(`${base}/api/trpc/charts.series?input=${q(series)}`).then((r) => r.text()).then((t) => ((seriesBytes = t.length), at())),
    fetch(`${base}/api/trpc/charts.smoothing?input=${q({ ...series, smoothing: 0.6 })}`).then((r) => r.text()).then(at),
    fetch(`${base}/api/trpc/charts.summaries,charts.keys?batch=1&input=${q({ 0: { runs }, 1: { runs } })}`).then((r) => r.text()).then(at),
  ]);
  done = true;
  await probe;
  console.log(`${runs.length} runs x ${SEED_KEYS.length} metrics, fresh daemon, no browser (ms from the first request):`);
  console.log(`  document ${documentMs}, summaries + keys ${summariesMs}, series (buckets) ${seriesMs}, smoothing 0.6 (every stored point) ${smoothingMs}`);
  console.log(`  charts.series answer: ${(seriesBytes / 1e6).toFixed(1)} MB`);
  console.log(`  worst /healthz answer meanwhile: ${Math.round(worstHealthz)} ms`);
} finally {
  daemon.kill("SIGTERM");
}
