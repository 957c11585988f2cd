export * from "./open.ts";
export * as tables from "./schema.ts";
export * from "./runs.ts";
export * from "./metrics.ts";
export * from "./datasets.ts";
