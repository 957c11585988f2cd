// HAM10000 end to end (when ../shared/datasets has it): CLI import with a report matching SOURCE.md, a
// 3-class label set, the preview, and a submitted run whose prepared arrays hold exactly the previewed
// counts. The trainer is the fake one: what is checked here is what the daemon hands a trainer.
import { SHARED_DATASETS } from "../../scripts/shared-datasets.ts";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_TRAINER_ENV, startDaemon, waitUntil, type DaemonProcess } from "./daemon-process.ts";

const HAM = `${SHARED_DATASETS}/ham10000_200x150`;

describe.skipIf(!existsSync(HAM))("HAM10000 import, preview and run", () => {
  let d: DaemonProcess;
  beforeAll(async () => {
    d = await startDaemon({ env: FAKE_TRAINER_ENV });
  });
  afterAll(async () => d?.stop());

  it("imports with counts as SOURCE.md states, and a run trains on exactly the previewed counts", { timeout: 600_000 }, async () => {
    const res = await d.cli(["dataset", "import", "ham", "--manifest", join(HAM, "HAM10000_metadata_with_dataset_column.csv"), "--images", join(HAM, "images"), "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const job = JSON.parse(res.stdout);
    expect(job.status).toBe("completed");
    expect(job.report).toMatchObject({ rows: 10015, images: 10015, imagesFound: 10015, usableImages: 10015, groups: 7470, unreadableImages: [] });
    expect(job.report.columns.group).toBe("lesion_id");
    expect(job.report.diagnoses).toEqual({ nv: 6705, mel: 1113, bkl: 1099, bcc: 514, akiec: 327, vasc: 142, df: 115 });

    const labels = join(d.home, "ham3.txt");
    writeFileSync(labels, "mel\nbcc\nakiec\n");
    expect((await d.cli(["labels", "add", "ham3", labels, "--dataset", "ham"])).code).toBe(0);
    const cfg = join(d.home, "ham.yaml");
    writeFileSync(cfg, "name: ham3\ndataset: {name: ham, image_size: 32, labels: {set: ham3, other_class: true, other_ratio: 0.1}}\nmodel: {backbone: baseline_cnn, pretrained: none}\ntags: [steps=2]\n");
    const dry = await d.cli(["run", cfg, "--dry-run", "--json"]);
    expect(dry.code, dry.stderr).toBe(0);
    const preview = JSON.parse(dry.stdout);
    expect(preview.classes).toEqual(["mel", "bcc", "akiec", "other"]);
    const tr = preview.counts.train;
    expect(tr.perClass.other).toBe(Math.floor((0.1 / 0.9) * (tr.total - tr.perClass.other)));

    const sub = await d.cli(["run", cfg, "--json"]);
    expect(sub.code, sub.stderr).toBe(0);
    const runId = JSON.parse(sub.stdout).id;
    const specPath = join(d.home, "runs", runId, "spec.json");
    await waitUntil(async () => existsSync(specPath), 400_000, "the run's spec.json (image cache build)");
    const spec = JSON.parse(readFileSync(specPath, "utf8"));
    expect(spec.classes).toEqual(preview.classes);
    expect(spec.counts).toEqual(preview.counts);
    expect(spec.data.images.shape).toEqual([10015, 32, 32, 3]);

    // with the cache built, the preview reads its usable rows and still agrees
    const again = await d.client.datasets.previewConfig.query({ yaml: readFileSync(cfg, "utf8") });
    expect(again.usableFrom).toBe("cache");
    expect(again.counts).toEqual(preview.counts);
  });
});
