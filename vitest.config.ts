import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "daemon/src/**/*.test.ts", "daemon/test/**/*.test.ts", "apps/web/lib/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // integration tests each start their own daemon; two cores do not fit more than one at a time
    fileParallelism: false,
  },
});
