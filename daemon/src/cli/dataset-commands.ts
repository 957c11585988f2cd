// `trainyard demo [--task]`, `trainyard dataset ...`, `trainyard labels ...`, and the preview behind `run --dry-run`.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseLabelFile } from "@trainyard/data";
import { reviewedImportCommand } from "./command-line.ts";
import { daemonUrl, type Client } from "./client.ts";
import { formatImportReport, formatPreview } from "./dataset-format.ts";

const IMPORT_USAGE = `usage: trainyard dataset import NAME --manifest F --images DIR [--schema F | --infer-schema F]
         [--image-col C] [--group-col C] [--label-col C] [--split-col C] [--case-col C]
         [--delimiter D] [--label-delimiter D] [--fit crop|pad] [--check decode|exists|none] [--replace] [--json]
         [--boxes F|DIR [--box-format csv|coco|yolo] [--box-image-col C] [--box-coords X0,Y0,X1,Y1]
                        [--box-label-col C] [--box-names F]]
         [--time-col C|START,END --event-col C [--case-col C --view-col C]]
  --boxes: a CSV / TSV / Parquet of rows (image, x_min, y_min, x_max, y_max, label), a COCO .json, or a
  folder of YOLO .txt files (class cx cy w h, names from --box-names or classes.txt / data.yaml); pixel
  coordinates of the image as displayed. Without --label-col the diagnoses are each image's box classes.
  A dataset with boxes is cached letterboxed (--fit pad).
  --time-col / --event-col: follow-up targets for training.task risk. --time-col C is the follow-up in
  years; --time-col START,END two date columns (YYYY-MM-DD), follow-up = (END - START) days / 365.25.
  --event-col C is 1 (diagnosed) or 0 (censored); true/false and yes/no are read too. --view-col C names
  each image's view (L-CC, R-MLO, ...) and needs --case-col C, the exam whose views share its targets.
  A dataset with follow-up targets is cached letterboxed unless --fit crop is given.`;

export async function demo(client: Client, args: string[] = []): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { task: { type: "string" } } });
  const task = values.task ?? "classification";
  if (positionals.length || (task !== "classification" && task !== "detection" && task !== "risk")) {
    console.error(`usage: trainyard demo [--task classification|detection|risk]${positionals.length ? "" : ` (got --task ${task})`}`);
    return 2;
  }
  if (task === "risk") {
    console.error("generating and importing the risk demo dataset (a few seconds)...");
    const d = await client.datasets.createDemo.mutate({ task });
    if (d.task !== "risk") throw new Error(`the daemon made the ${d.task} demo instead: restart it from this version (trainyard daemon)`);
    console.log(
      `dataset "${d.name}": ${d.exams} exams of ${d.numGroups} patients (${d.images} images, views ${d.views.join(", ")}); ` +
        `${d.events} events, ${d.censored} censored (${(100 * d.eventRate).toFixed(1)}%), median follow-up ${d.followupMedian} years; ${d.examsMissingView} exams missing a view`,
    );
    console.log(`image cache warmed at ${d.imageSize} px`);
    console.log(d.config ? `train it: trainyard run ${d.config} --wait   (or open ${daemonUrl()})` : `train it with training.task: risk on dataset ${d.name} (or open ${daemonUrl()})`);
    return 0;
  }
  if (task === "detection") {
    console.error("generating and importing the detection demo dataset (a few seconds)...");
    const d = await client.datasets.createDemo.mutate({ task });
    // a daemon older than this CLI ignores the task and makes the classification demo
    if (d.task !== "detection") throw new Error("the daemon made the classification demo instead: restart it from this version (trainyard daemon)");
    const perClass = Object.entries(d.boxesPerClass).map(([k, v]) => `${k} ${v}`).join(", ");
    console.log(`dataset "${d.name}": ${d.images} images of ${d.numGroups} patients; ${d.boxes} boxes (${perClass}); ${d.noFindings} images without findings`);
    console.log(`image cache warmed at ${d.imageSize} px (letterboxed)`);
    console.log(`train it: trainyard run configs/demo-detection.yaml --wait   (or open ${daemonUrl()})`);
    return 0;
  }
  console.error("generating and importing the demo dataset (about half a minute)...");
  const d = await client.datasets.createDemo.mutate();
  if (d.task !== "classification") throw new Error(`the daemon made the ${d.task} demo instead of the classification one`);
  console.log(`dataset "${d.name}": ${d.images} images of ${d.numGroups} patients; diagnoses ${Object.entries(d.diagnoses).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  console.log(`label set "${d.labelSet.name}": ${d.labelSet.labels.join(", ")}`);
  console.log(`train it: trainyard run configs/demo.yaml --wait   (or open ${daemonUrl()})`);
  return 0;
}

function readSchemaFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read the schema file ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`the schema file ${file} is not valid JSON: ${(e as Error).message}; write it with --infer-schema ${file} and edit that`);
  }
}

export async function dataset(client: Client, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      manifest: { type: "string" }, images: { type: "string" }, schema: { type: "string" }, "infer-schema": { type: "string" },
      "image-col": { type: "string" }, "group-col": { type: "string" }, "label-col": { type: "string" }, "split-col": { type: "string" },
      "case-col": { type: "string" }, delimiter: { type: "string" }, "label-delimiter": { type: "string" },
      fit: { type: "string" }, check: { type: "string" }, replace: { type: "boolean" }, json: { type: "boolean" },
      boxes: { type: "string" }, "box-format": { type: "string" }, "box-image-col": { type: "string" }, "box-coords": { type: "string" },
      "box-label-col": { type: "string" }, "box-names": { type: "string" },
      "time-col": { type: "string" }, "event-col": { type: "string" }, "view-col": { type: "string" },
    },
  });
  if (sub === "import") {
    const name = positionals[0];
    if (!name || !values.manifest || !values.images) throw new Error(IMPORT_USAGE);
    const manifestOpts = {
      manifest: resolve(values.manifest), images: resolve(values.images), delimiter: values.delimiter === "\\t" ? "\t" : values.delimiter,
      imageCol: values["image-col"], groupCol: values["group-col"], labelCol: values["label-col"], splitCol: values["split-col"],
      caseCol: values["case-col"], labelDelimiter: values["label-delimiter"], labelsFromBoxes: values.boxes ? true : undefined,
      timeCol: values["time-col"], eventCol: values["event-col"], viewCol: values["view-col"],
    };
    survivalFlagsFit(values);
    if (values["infer-schema"]) {
      const inspected = await client.datasets.inspect.query(manifestOpts);
      writeFileSync(values["infer-schema"], JSON.stringify(inspected.schema, null, 2) + "\n");
      if (values.json) console.log(JSON.stringify(inspected, null, 2));
      else {
        console.log(`wrote the inferred schema to ${values["infer-schema"]} (encoded dimension ${inspected.encodedDim}):`);
        for (const c of inspected.schemaColumns) {
          const f = inspected.schema.features.find((x) => x.name === c.name);
          console.log(`  ${c.name.padEnd(28)} ${f ? f.kind : `skipped: ${c.skipped}`}${f?.categories ? ` (${f.categories.length} categories)` : ""}${f?.options ? ` (${f.options.length} options)` : ""}`);
        }
        console.log(`review it, then: ${reviewedImportCommand(rest, values["infer-schema"])}`);
      }
      return 0;
    }
    if (values.fit && !["crop", "pad"].includes(values.fit)) throw new Error(`--fit must be crop or pad (got "${values.fit}")`);
    if (values.check && !["decode", "exists", "none"].includes(values.check)) throw new Error(`--check must be decode, exists or none (got "${values.check}")`);
    const boxes = boxesOption(values);
    const job = await client.datasets.import.mutate({
      ...manifestOpts, name, schema: values.schema ? readSchemaFile(values.schema) : undefined, boxes,
      fit: values.fit as "crop" | "pad" | undefined, imageCheck: values.check as "decode" | "exists" | "none" | undefined, replace: values.replace ?? false,
    });
    const final = await followImport(client, job.id, !values.json);
    if (values.json) console.log(JSON.stringify(final, null, 2));
    else if (final.status === "completed" && final.report) console.log(formatImportReport(name, final.report));
    if (final.status !== "completed") {
      if (!values.json) console.error(`trainyard dataset import: ${final.error}`);
      return 1;
    }
    return 0;
  }
  if (sub === "ls") {
    const list = await client.datasets.list.query();
    if (values.json) console.log(JSON.stringify(list, null, 2));
    else for (const d of list) console.log(`${d.name.padEnd(24)} ${d.status.padEnd(10)} ${String(d.numSamples).padStart(8)} images ${String(d.numGroups).padStart(7)} groups ${String(d.numDiagnoses).padStart(5)} diagnoses${d.boxes ? ` ${String(d.boxes.total).padStart(8)} boxes` : ""}`);
    return 0;
  }
  if (sub === "show") {
    if (!positionals[0]) throw new Error("usage: trainyard dataset show NAME [--json]");
    const d = await client.datasets.get.query({ name: positionals[0] });
    console.log(values.json ? JSON.stringify(d, null, 2) : formatImportReport(d.name, d.report));
    return 0;
  }
  throw new Error(`usage: trainyard dataset import|ls|show\n${IMPORT_USAGE}`);
}

/** The follow-up flags that need each other, refused before anything is sent (the daemon checks them too). */
function survivalFlagsFit(values: Record<string, string | boolean | undefined>): void {
  const time = values["time-col"], event = values["event-col"], view = values["view-col"];
  if (time && !event) throw new Error(`--time-col ${time} needs --event-col C too: the column saying whether follow-up ended in a diagnosis (1) or was censored (0)`);
  if (event && !time) throw new Error(`--event-col ${event} needs --time-col C too: the follow-up in years (or --time-col START,END: two date columns)`);
  if (view && !time) throw new Error(`--view-col ${view} only applies to follow-up targets: add --time-col C --event-col C (and --case-col C)`);
  if (view && !values["case-col"]) throw new Error(`--view-col ${view} needs --case-col C: the column naming the exam each view belongs to (its views are one sample)`);
}

/** ImportRequest.boxes from the --box* flags (paths resolved here: the daemon may run elsewhere in the tree). */
function boxesOption(values: Record<string, string | boolean | undefined>) {
  const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  const path = str("boxes");
  const others = ["box-format", "box-image-col", "box-coords", "box-label-col", "box-names"].filter((k) => str(k) !== undefined);
  if (!path) {
    if (others.length) throw new Error(`${others.map((k) => `--${k}`).join(", ")} only apply with --boxes F`);
    return undefined;
  }
  const format = str("box-format");
  if (format !== undefined && !["csv", "coco", "yolo"].includes(format)) throw new Error(`--box-format must be csv, coco or yolo (got "${format}")`);
  let coords: [string, string, string, string] | undefined;
  const c = str("box-coords");
  if (c !== undefined) {
    const parts = c.split(",").map((p) => p.trim());
    if (parts.length !== 4 || parts.some((p) => !p)) throw new Error(`--box-coords takes four column names, x_min,y_min,x_max,y_max (got "${c}")`);
    coords = parts as [string, string, string, string];
  }
  const names = str("box-names");
  return {
    path: resolve(path), format: format as "csv" | "coco" | "yolo" | undefined, imageCol: str("box-image-col"), coords, labelCol: str("box-label-col"),
    names: names === undefined ? undefined : resolve(names),
  };
}

/** Follow an import job, drawing a progress line on stderr, until it ends. */
function followImport(client: Client, id: string, verbose: boolean) {
  type Job = Awaited<ReturnType<Client["datasets"]["importJob"]["query"]>>;
  const tty = process.stderr.isTTY;
  let lastLine = "";
  let lastPrint = 0;
  return new Promise<Job>((resolvePromise, reject) => {
    const sub = client.datasets.watchImport.subscribe(
      { id },
      {
        onData: async (job) => {
          if (verbose && job.phase) {
            const line = `importing ${job.dataset}: ${job.phase}${job.total > 1 ? ` ${job.done}/${job.total}` : ""}`;
            const now = Date.now();
            if (line !== lastLine && (tty || now - lastPrint > 2000 || job.done === job.total)) {
              process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
              lastLine = line;
              lastPrint = now;
            }
          }
          if (job.status === "running") return;
          sub.unsubscribe();
          if (verbose && tty) process.stderr.write("\n");
          try {
            resolvePromise(await client.datasets.importJob.query({ id }));
          } catch (err) {
            reject(err);
          }
        },
        onError: (err) => reject(err),
      },
    );
  });
}

export async function labels(client: Client, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { dataset: { type: "string" }, json: { type: "boolean" } } });
  if (sub === "add") {
    const [name, file] = positionals;
    if (!name || !file) throw new Error("usage: trainyard labels add NAME FILE [--dataset D]");
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new Error(`cannot read the label file ${file}: ${(e as Error).message}`);
    }
    const list = parseLabelFile(text);
    if (!list.length) throw new Error(`the label file ${file} has no labels: write one diagnosis per line (# starts a comment)`);
    const set = await client.datasets.addLabelSet.mutate({ name, labels: list, dataset: values.dataset });
    console.log(values.json ? JSON.stringify(set, null, 2) : `label set "${set.name}": ${set.labels.length} labels${values.dataset ? `, all found in ${values.dataset}` : ""}`);
    return 0;
  }
  if (sub === "ls") {
    const sets = await client.datasets.labelSets.query();
    if (values.json) console.log(JSON.stringify(sets, null, 2));
    else for (const s of sets) console.log(`${s.name.padEnd(24)} ${s.labels.length} labels: ${s.labels.slice(0, 6).join(", ")}${s.labels.length > 6 ? ", ..." : ""}`);
    return 0;
  }
  throw new Error("usage: trainyard labels add NAME FILE [--dataset D] | ls [--json]");
}

/** `trainyard run CONFIG --dry-run`: what the run would train on, without submitting it. */
export async function dryRun(client: Client, yaml: string, overrides: string[], json: boolean): Promise<number> {
  const p = await client.datasets.previewConfig.query({ yaml, overrides });
  console.log(json ? JSON.stringify(p, null, 2) : formatPreview(p));
  return 0;
}
