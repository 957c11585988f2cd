import { writeFileSync } from "node:fs";
import { defaultsDocument, TRAINER_DEFAULTS_FILE } from "../packages/config/src/defaults-file.ts";

writeFileSync(TRAINER_DEFAULTS_FILE, defaultsDocument());
console.log(`wrote ${TRAINER_DEFAULTS_FILE}`);
