import { randomBytes } from "node:crypto";

/** Short, sortable-by-time run ids: r + base36 ms timestamp + 4 random chars. */
export function newRunId(): string {
  return "r" + Date.now().toString(36) + randomBytes(3).toString("hex").slice(0, 4);
}
