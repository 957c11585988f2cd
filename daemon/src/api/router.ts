// The app router: one sub-router per domain. apps/web imports only the AppRouter type.
import { router } from "./trpc.ts";
import { runsRouter } from "./runs-router.ts";
import { datasetsRouter } from "./datasets-router.ts";
import { checkpointsRouter } from "./checkpoints-router.ts";
import { systemRouter } from "./system-router.ts";
import { usersRouter } from "../auth/users-router.ts";
import { chartsRouter } from "./charts-router.ts";
import { sweepsRouter } from "./sweeps-router.ts";
import { evaluationsRouter } from "./evaluations-router.ts";
import { modelsRouter } from "./models-router.ts";

export const appRouter = router({
  runs: runsRouter,
  datasets: datasetsRouter,
  checkpoints: checkpointsRouter,
  system: systemRouter,
  users: usersRouter,
  charts: chartsRouter,
  sweeps: sweepsRouter,
  evaluations: evaluationsRouter,
  models: modelsRouter,
});

export type AppRouter = typeof appRouter;
