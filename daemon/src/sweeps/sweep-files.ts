// Where a sweep's files live: TRAINYARD_HOME/sweeps/<id>/ holds Optuna's journal and the process's stderr.
import { join } from "node:path";

export const STUDY_FILE = "study.journal";
export const SEARCH_LOG = "search.log";

export const sweepDir = (homeRoot: string, id: string) => join(homeRoot, "sweeps", id);
