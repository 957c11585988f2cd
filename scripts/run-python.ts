// Run a Python script with the interpreter the daemon would pick for trainers (TRAINYARD_PYTHON, then probing).
import { spawnSync } from "node:child_process";
import { findPython, TRAINER_PATH } from "../daemon/src/python.ts";

const py = await findPython();
if (!py.ok) {
  console.error(py.message);
  process.exit(1);
}
const env = { ...process.env, PYTHONPATH: [TRAINER_PATH, process.env.PYTHONPATH].filter(Boolean).join(":") };
const res = spawnSync(py.path, process.argv.slice(2), { stdio: "inherit", env });
process.exit(res.status ?? 1);
