export * from "./schema.ts";
export * from "./load.ts";
export * from "./daemon-side-keys.ts";
export * from "./sweep-config.ts";
export * from "./backbone-stages.ts";
export * from "./progressive-unfreezing.ts";
