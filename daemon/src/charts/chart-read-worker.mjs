// Entry of a chart-read worker thread: tsx's loader first (workers do not inherit the main thread's
// registration), then the TypeScript worker body.
import { register } from "tsx/esm/api";

register();
await import("./chart-read-worker-body.ts");
