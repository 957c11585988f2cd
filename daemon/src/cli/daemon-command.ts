// `trainyard daemon`: open the store, recover, serve, and stop cleanly on SIGINT / SIGTERM.
import { parseArgs } from "node:util";
import { Daemon } from "../daemon.ts";
import { startServer } from "../server.ts";
import { authRequired } from "../auth/auth-mode.ts";
import { EXECUTOR_NAMES } from "../executors/registry.ts";
import type { ExecutorName } from "../executors/executor.ts";

export async function daemonCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    // --slurm-args takes sbatch options, which start with a dash: the next word is its value whatever it looks like
    args: args.flatMap((a, i) => (a === "--slurm-args" && i + 1 < args.length ? [] : args[i - 1] === "--slurm-args" && i > 0 ? [`--slurm-args=${a}`] : [a])),
    options: {
      home: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "no-web": { type: "boolean" },
      python: { type: "string" },
      gpus: { type: "string" },
      "cpu-slots": { type: "string" },
      executor: { type: "string" },
      "slurm-partition": { type: "string" },
      "slurm-account": { type: "string" },
      "slurm-args": { type: "string" },
    },
  });
  const port = Number(values.port ?? process.env.TRAINYARD_PORT ?? 7070);
  const host = values.host ?? process.env.TRAINYARD_HOST ?? "127.0.0.1";
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port}: expected a port number`);
  const cpuSlots = values["cpu-slots"] === undefined ? undefined : Number(values["cpu-slots"]);
  if (cpuSlots !== undefined && (!Number.isInteger(cpuSlots) || cpuSlots < 0 || cpuSlots > 256)) throw new Error(`--cpu-slots ${values["cpu-slots"]}: expected a whole number from 0 to 256 (0: no CPU-only runs on a GPU machine)`);
  const executor = values.executor ?? process.env.TRAINYARD_EXECUTOR ?? "local";
  if (!(EXECUTOR_NAMES as string[]).includes(executor)) throw new Error(`--executor ${executor}: expected one of ${EXECUTOR_NAMES.join(", ")}`);
  const slurm = { partition: values["slurm-partition"] ?? process.env.TRAINYARD_SLURM_PARTITION ?? null, account: values["slurm-account"] ?? null, args: values["slurm-args"] ?? null };
  const daemon = new Daemon({ home: values.home, python: values.python, gpus: values.gpus, cpuSlots, executor: executor as ExecutorName, slurm });
  await daemon.start();
  const server = await startServer(daemon, { host, port, web: !values["no-web"] });
  const py = await daemon.pythonInfo();
  const addr = server.address();
  const actualPort = typeof addr === "object" && addr ? addr.port : port;
  console.log(`trainyard daemon on http://${host}:${actualPort} (home ${daemon.home.root})`);
  const slots = daemon.scheduler.slots();
  if (executor === "slurm") console.log(`executor: slurm (partition ${slurm.partition ?? "the cluster's default"}${slurm.account ? `, account ${slurm.account}` : ""}${slurm.args ? `, sbatch ${slurm.args}` : ""})`);
  console.log(`slots: ${slots.map((s) => s.id).join(", ")}${daemon.scheduler.hasGpus ? "" : " (no GPU found; --cpu-slots / TRAINYARD_CPU_SLOTS)"}`);
  console.log(authRequired(host) ? "auth: tokens required (bound beyond loopback); create users with `trainyard user add NAME --home DIR`" : "auth: none (bound to loopback: every local user is admin)");
  console.log(py.ok ? `trainer: ${py.path} (torch ${py.torch}${py.cuda ? ", CUDA" : ", CPU"})` : `WARNING: ${py.message}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  console.log("stopping: asking trainers to checkpoint...");
  server.close();
  await daemon.stop();
  return 0;
}
