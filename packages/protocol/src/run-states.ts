// The states a run moves through, as the store keeps them, the daemon filters by them and the dashboard
// shows them. The store's column is free text; these lists are what every side agrees a state may be.

// pruned: a sweep trial its early stopper stopped at a rung (daemon/src/sweeps); it checkpointed first.
export const RUN_STATES = ["queued", "running", "completed", "failed", "cancelled", "interrupted", "pruned"] as const;
export type RunState = (typeof RUN_STATES)[number];

/** Waiting for or holding a slot: the run can still change. */
export const ACTIVE_STATES: readonly RunState[] = ["queued", "running"];
/** Nothing more will happen to the run unless it is resumed; its series can be sealed. */
export const FINAL_STATES: readonly RunState[] = ["completed", "failed", "cancelled", "interrupted", "pruned"];
/** `trainyard resume` and the run page's Resume button take these (a pruned trial belongs to its sweep). */
export const RESUMABLE_STATES: readonly RunState[] = ["cancelled", "interrupted", "failed"];
