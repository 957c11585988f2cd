// Setup check: is there a Python with torch where the daemon will look for one?
import { findPython } from "../daemon/src/python.ts";

const py = await findPython();
console.log(py.ok ? `trainer Python: ${py.path} (torch ${py.torch}${py.cuda ? ", CUDA" : ", CPU"})` : py.message);
process.exit(py.ok ? 0 : 1);
