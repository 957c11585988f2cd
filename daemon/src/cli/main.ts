// `trainyard` command line: the daemon itself, and every other command as a client of it.
import { describeError, makeClient } from "./client.ts";
import { dataset, demo, labels } from "./dataset-commands.ts";
import { cancel, download, run, runs, show } from "./run-commands.ts";

const USAGE = `trainyard — training daemon and dashboard for medical-imaging labs

  trainyard daemon [--home DIR] [--port N] [--host ADDR] [--no-web]
  trainyard demo
  trainyard dataset import NAME --manifest F --images DIR [--image-col C] [--group-col C] [--label-col C] [--split-col C] [--label-delimiter D] [--replace]
  trainyard dataset ls | show NAME [--json]
  trainyard labels add NAME FILE [--dataset D] | ls
  trainyard run CONFIG.yaml [key=value ...] [--wait] [--json]
  trainyard runs [--json] | show RUN [--json] | cancel RUN
  trainyard download RUN [--checkpoint best|last|NAME] [-o FILE]

The daemon is found through TRAINYARD_URL (default http://127.0.0.1:7070) and TRAINYARD_TOKEN.`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case "daemon":
        return await (await import("./daemon-command.ts")).daemonCommand(rest);
      case "demo":
        return await demo(makeClient());
      case "dataset":
        return await dataset(makeClient(), rest);
      case "labels":
        return await labels(makeClient(), rest);
      case "run":
        return await run(makeClient(), rest);
      case "runs":
        return await runs(makeClient(), rest);
      case "show":
        return await show(makeClient(), rest);
      case "cancel":
        return await cancel(makeClient(), rest);
      case "download":
        return await download(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return cmd ? 0 : 2;
      default:
        console.error(`unknown command "${cmd}"\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    console.error(`trainyard ${cmd}: ${describeError(e)}`);
    return 1;
  }
}
