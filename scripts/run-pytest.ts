// Run the trainer's pytest suite with the same interpreter the daemon would pick (TRAINYARD_PYTHON,
// then probing), so tests and product agree on which Python has torch.
import { spawnSync } from "node:child_process";
import { findPython, TRAINER_PATH } from "../daemon/src/python.ts";

const py = await findPython();
if (!py.ok) {
  console.error(py.message);
  process.exit(1);
}
console.log(`pytest with ${py.path} (torch ${py.torch})`);
const res = spawnSync(py.path, ["-m", "pytest", "tests", "-q", ...process.argv.slice(2)], { cwd: TRAINER_PATH, stdio: "inherit" });
process.exit(res.status ?? 1);
