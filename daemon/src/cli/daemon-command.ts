// `trainyard daemon`: open the store, recover, serve, and stop cleanly on SIGINT / SIGTERM.
import { parseArgs } from "node:util";
import { Daemon } from "../daemon.ts";
import { startServer } from "../server.ts";

export async function daemonCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { home: { type: "string" }, port: { type: "string" }, host: { type: "string" }, "no-web": { type: "boolean" }, python: { type: "string" } },
  });
  const port = Number(values.port ?? process.env.TRAINYARD_PORT ?? 7070);
  const host = values.host ?? process.env.TRAINYARD_HOST ?? "127.0.0.1";
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port}: expected a port number`);
  const daemon = new Daemon({ home: values.home, python: values.python });
  await daemon.start();
  const server = await startServer(daemon, { host, port, web: !values["no-web"] });
  const py = await daemon.pythonInfo();
  const addr = server.address();
  const actualPort = typeof addr === "object" && addr ? addr.port : port;
  console.log(`trainyard daemon on http://${host}:${actualPort} (home ${daemon.home.root})`);
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
