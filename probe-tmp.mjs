import { chromium } from "@playwright/test";
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const p = await b.newPage();
p.on("console", (m) => { if (m.type() === "error") console.log("console:", m.text().slice(0, 800)); });
p.on("pageerror", (e) => console.log("pageerror:", e.message.slice(0, 800), e.stack?.slice(0, 800)));
await p.goto(`http://127.0.0.1:7171/runs/${process.argv[2]}`);
await p.waitForTimeout(20000);
console.log("points", await p.getByTestId("chart-train/loss").getAttribute("data-points").catch(() => "none"));
await b.close();
