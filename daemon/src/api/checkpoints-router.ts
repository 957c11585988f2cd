import { z } from "zod";
import { listCheckpoints } from "@trainyard/db";
import { publicProcedure, router } from "./trpc.ts";

export const checkpointsRouter = router({
  list: publicProcedure.input(z.object({ runId: z.string().min(1).max(64) })).query(({ ctx, input }) =>
    listCheckpoints(ctx.daemon.store.db, input.runId).map((c) => ({
      name: c.name,
      epoch: c.epoch,
      step: c.step,
      monitorName: c.monitorName,
      monitorValue: c.monitorValue,
      downloadUrl: `/api/runs/${encodeURIComponent(input.runId)}/checkpoints/${encodeURIComponent(c.name)}/download`,
    })),
  ),
});
