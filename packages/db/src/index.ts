export * from "./open.ts";
export * as tables from "./schema.ts";
export * from "./runs.ts";
export * from "./metrics.ts";
export * from "./datasets.ts";
export * from "./users.ts";
export * from "./chart-queries.ts";
export * from "./metric-blocks.ts";
export { GROUP_POINTS } from "./block-groups.ts";
