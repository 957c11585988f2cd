import { spawn } from "node:child_process";
import { chromium } from "@playwright/test";
const PORT = 7397;
const base = `http://127.0.0.1:${PORT}`;
const daemon = spawn(process.execPath, ["bin/trainyard.mjs", "daemon", "--home", "/tmp/webbench", "--port", String(PORT)], { stdio: "ignore" });
for (;;) { try { const h = (await (await fetch(`${base}/healthz`)).json()) as any; if (h.chartWorkers === "ready") break; } catch {} await new Promise((r) => setTimeout(r, 200)); }
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage();
const reqs: string[] = [];
page.on("request", (r) => reqs.push(r.url().slice(0, 120)));
page.on("console", (m) => console.log("console:", m.text().slice(0, 200)));
const runs = Array.from({ length: 50 }, (_, r) => `bench-${String(r).padStart(3, "0")}`);
await page.goto(`${base}/compare?runs=${runs.join(",")}`);
await new Promise((r) => setTimeout(r, 8000));
const counts = new Map<string, number>();
for (const u of reqs) { const k = u.replace(/\?.*/, ""); counts.set(k, (counts.get(k) ?? 0) + 1); }
console.log([...counts].sort((a, b) => b[1] - a[1]).slice(0, 10));
console.log(JSON.stringify(await (await fetch(`${base}/healthz`)).json()));
await browser.close();
daemon.kill("SIGTERM");
