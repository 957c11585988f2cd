import { spawn } from "node:child_process";
const PORT = 7396;
const base = `http://127.0.0.1:${PORT}`;
const daemon = spawn(process.execPath, ["bin/trainyard.mjs", "daemon", "--home", "/tmp/webbench", "--port", String(PORT)], { stdio: "inherit" });
for (;;) { try { const h = (await (await fetch(`${base}/healthz`)).json()) as any; if (h.chartWorkers === "ready") break; } catch {} await new Promise((r) => setTimeout(r, 200)); }
const runs = Array.from({ length: 50 }, (_, r) => `bench-${String(r).padStart(3, "0")}`);
const t0 = performance.now();
const html = await (await fetch(`${base}/compare?runs=${runs.join(",")}`)).text();
console.log("document", Math.round(performance.now() - t0), html.length);
for (let i = 0; i < 10; i++) { await new Promise((r) => setTimeout(r, 500)); console.log(Math.round(performance.now() - t0), JSON.stringify(await (await fetch(`${base}/healthz`)).json())); }
daemon.kill("SIGTERM");
