import { publicProcedure, router } from "./trpc.ts";

export const systemRouter = router({
  health: publicProcedure.query(({ ctx }) => ctx.daemon.health()),
  /** Example configs shipped in configs/, for the new-run page. */
  configs: publicProcedure.query(({ ctx }) => ctx.daemon.exampleConfigs()),
});
