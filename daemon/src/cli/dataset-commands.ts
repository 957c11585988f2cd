// `trainyard demo`, `trainyard dataset ...`, `trainyard labels ...`.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseLabelFile } from "@trainyard/data";
import { daemonUrl, type Client } from "./client.ts";

export async function demo(client: Client): Promise<number> {
  console.error("generating and importing the demo dataset (about half a minute)...");
  const d = await client.datasets.createDemo.mutate();
  console.log(`dataset "${d.name}": ${d.images} images of ${d.numGroups} patients; diagnoses ${Object.entries(d.diagnoses).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  console.log(`label set "${d.labelSet.name}": ${d.labelSet.labels.join(", ")}`);
  console.log(`train it: trainyard run configs/demo.yaml --wait   (or open ${daemonUrl()})`);
  return 0;
}

export async function dataset(client: Client, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      manifest: { type: "string" }, images: { type: "string" }, schema: { type: "string" },
      "image-col": { type: "string" }, "group-col": { type: "string" }, "label-col": { type: "string" }, "split-col": { type: "string" },
      "label-delimiter": { type: "string" }, replace: { type: "boolean" }, json: { type: "boolean" },
    },
  });
  if (sub === "import") {
    const name = positionals[0];
    if (!name || !values.manifest || !values.images) throw new Error("usage: trainyard dataset import NAME --manifest F --images DIR");
    const d = await client.datasets.import.mutate({
      name, manifest: resolve(values.manifest), images: resolve(values.images),
      imageCol: values["image-col"], groupCol: values["group-col"], labelCol: values["label-col"], splitCol: values["split-col"],
      labelDelimiter: values["label-delimiter"], replace: values.replace ?? false,
    });
    console.log(values.json ? JSON.stringify(d, null, 2) : `imported "${d.name}": ${d.numSamples} images, ${d.numGroups} groups, ${Object.keys(d.diagnoses).length} diagnoses`);
    return 0;
  }
  if (sub === "ls") {
    const list = await client.datasets.list.query();
    if (values.json) console.log(JSON.stringify(list, null, 2));
    else for (const d of list) console.log(`${d.name.padEnd(24)} ${d.status.padEnd(10)} ${String(d.numSamples).padStart(8)} images ${String(d.numGroups).padStart(7)} groups`);
    return 0;
  }
  if (sub === "show") {
    const d = await client.datasets.get.query({ name: positionals[0] ?? "" });
    console.log(JSON.stringify(d, null, 2));
    return 0;
  }
  throw new Error("usage: trainyard dataset import|ls|show");
}

export async function labels(client: Client, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { dataset: { type: "string" }, json: { type: "boolean" } } });
  if (sub === "add") {
    const [name, file] = positionals;
    if (!name || !file) throw new Error("usage: trainyard labels add NAME FILE");
    const set = await client.datasets.addLabelSet.mutate({ name, labels: parseLabelFile(readFileSync(file, "utf8")), dataset: values.dataset });
    console.log(`label set "${set.name}": ${set.labels.length} labels`);
    return 0;
  }
  if (sub === "ls") {
    const sets = await client.datasets.labelSets.query();
    if (values.json) console.log(JSON.stringify(sets, null, 2));
    else for (const s of sets) console.log(`${s.name.padEnd(24)} ${s.labels.length} labels: ${s.labels.slice(0, 6).join(", ")}${s.labels.length > 6 ? ", ..." : ""}`);
    return 0;
  }
  throw new Error("usage: trainyard labels add NAME FILE | ls");
}
