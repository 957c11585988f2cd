export * from "./tasks.ts";
export * from "./metric-values.ts";
export * from "./run-states.ts";
export * from "./events.ts";
export * from "./series.ts";
export * from "./series-wire.ts";
export * from "./series-request.ts";
export * from "./prediction.ts";
