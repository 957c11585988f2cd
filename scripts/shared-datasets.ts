// Where the real datasets for tests and benchmarks are, when a checkout has them: TRAINYARD_SHARED_DATASETS,
// else ../shared/datasets beside the repository. The product never depends on them; tests skip without.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const SHARED_DATASETS = process.env.TRAINYARD_SHARED_DATASETS ?? resolve(fileURLToPath(new URL("../", import.meta.url)), "../shared/datasets");
