import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyOverrides, ConfigError, loadConfig, validateConfig } from "./load.ts";

const demo = readFileSync(new URL("../../../configs/demo.yaml", import.meta.url), "utf8");
const port = readFileSync(new URL("../../../configs/gen2a_port.yaml", import.meta.url), "utf8");

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("fills the Gen2A defaults", () => {
    const c = loadConfig("name: x\ndataset: {name: d}\n");
    expect(c.model.backbone).toBe("resnet50");
    expect(c.dataset.image_size).toBe(224);
    expect(c.dataset.labels).toMatchObject({ other_class: true, other_ratio: 0.1 });
    expect(c.training.phases.map((p) => [p.name, p.epochs, p.lr, p.train])).toEqual([
      ["heads", 3, 1e-3, ["heads"]],
      ["finetune", 15, 1e-4, ["all"]],
    ]);
    expect(c.training.phases[0].bn_update).toBe(false);
    expect(c.training.phases[1].backbone_lr_mult).toBe(0.1);
  });

  it("validates the shipped configs", () => {
    expect(loadConfig(port).name).toBe("gen2a-common25");
    expect(loadConfig(demo).dataset.name).toBe("demo");
  });

  it("applies key=value overrides, indexing lists by number", () => {
    const c = loadConfig(demo, ["training.batch_size=8", "training.phases.1.lr=3e-5", "dataset.labels.set=[a, b]", "tags=[x]"]);
    expect(c.training.batch_size).toBe(8);
    expect(c.training.phases[1].lr).toBe(3e-5);
    expect(c.dataset.labels.set).toEqual(["a", "b"]);
    expect(c.tags).toEqual(["x"]);
  });

  it("names the path of a bad field", () => {
    expect(issuesOf(() => loadConfig(demo, ["training.phases.1.lr=fast"]))).toEqual([
      { path: "training.phases[1].lr", message: 'expected a positive number, got "fast"' },
    ]);
    const unknown = issuesOf(() => loadConfig("name: x\ndataset: {name: d}\ntraining: {batchsize: 3}\n"));
    expect(unknown[0].path).toBe("training");
    expect(unknown[0].message).toContain('"batchsize"');
  });

  it("reports YAML syntax errors with a line", () => {
    const issues = issuesOf(() => loadConfig("name: x\ndataset: {name: [d\n"));
    expect(issues[0].message).toMatch(/line \d+/);
  });

  it("rejects split ratios that do not add up, and empty documents", () => {
    expect(issuesOf(() => loadConfig("name: x\ndataset: {name: d, split: {train: 0.5, val: 0.1, test: 0.1}}"))[0].path).toBe("dataset.split.train");
    expect(issuesOf(() => loadConfig(""))[0].message).toMatch(/empty/);
  });

  it("rejects malformed overrides", () => {
    expect(() => applyOverrides({}, ["nokey"])).toThrow(/key=value/);
    expect(() => applyOverrides({ a: [1] }, ["a.5=2"])).toThrow(/past the end/);
  });
});

describe("task-dependent defaults", () => {
  it("classification keeps today's defaults", () => {
    const c = loadConfig("name: x\ndataset: {name: d}\n");
    expect(c.training.task).toBe("multilabel");
    expect(c.model.arch).toBe("gen2a");
    expect(c.dataset.labels.other_class).toBe(true);
    expect(c.training.early_stopping.monitor).toBe("val/auc_macro");
    expect(c.training.checkpoint.monitor).toBe("val/auc_macro");
  });

  it("detection defaults to fcos, mAP50-95 and no other class", () => {
    const c = loadConfig("name: x\ndataset: {name: d}\ntraining: {task: detection}\n");
    expect(c.model.arch).toBe("fcos");
    expect(c.dataset.labels.other_class).toBe(false);
    expect(c.training.early_stopping.monitor).toBe("val/map50_95");
    expect(c.training.checkpoint.monitor).toBe("val/map50_95");
    expect(c.training.detection).toEqual({ score_threshold: 0.25, max_detections: 100, sample_images: 8 });
  });

  it("a monitor the user sets wins over the task's", () => {
    const c = loadConfig("name: x\ndataset: {name: d}\ntraining: {task: detection, checkpoint: {monitor: val/map50}}\n");
    expect(c.training.checkpoint.monitor).toBe("val/map50");
    expect(c.training.early_stopping.monitor).toBe("val/map50_95");
  });

  it("refuses a detector for classification and a classifier for detection, naming the field", () => {
    const a = issuesOf(() => loadConfig("name: x\ndataset: {name: d}\nmodel: {arch: fcos}\n"));
    expect(a).toEqual([expect.objectContaining({ path: "model.arch", message: expect.stringMatching(/detection model.*training\.task: detection/) })]);
    const b = issuesOf(() => loadConfig("name: x\ndataset: {name: d}\nmodel: {arch: gen2a}\ntraining: {task: detection}\n"));
    expect(b).toEqual([expect.objectContaining({ path: "model.arch", message: expect.stringContaining("fcos, retinanet") })]);
  });

  it("refuses the other class for detection", () => {
    const issues = issuesOf(() => loadConfig("name: x\ndataset: {name: d, labels: {set: all, other_class: true}}\ntraining: {task: detection}\n"));
    expect(issues).toEqual([expect.objectContaining({ path: "dataset.labels.other_class" })]);
  });

  it("risk defaults to the cumulative-hazard model, the C-index, five years and attention over views", () => {
    const c = loadConfig("name: x\ndataset: {name: d}\ntraining: {task: risk}\n");
    expect(c.model.arch).toBe("cumulative_hazard");
    expect(c.training.early_stopping.monitor).toBe("val/c_index");
    expect(c.training.checkpoint.monitor).toBe("val/c_index");
    expect(c.dataset.labels.other_class).toBe(false);
    expect(c.training.risk).toEqual({ max_followup: 5, missing_views: "drop" });
    expect(c.model.risk).toEqual({ aggregation: "attention" });
  });

  it("refuses risk options that do not fit: a detector, the other class, a horizon beyond 20 years, an unknown aggregation", () => {
    expect(issuesOf(() => loadConfig("name: x\ndataset: {name: d}\nmodel: {arch: fcos}\ntraining: {task: risk}\n")))
      .toEqual([expect.objectContaining({ path: "model.arch", message: expect.stringContaining("cumulative_hazard, cox") })]);
    expect(issuesOf(() => loadConfig("name: x\ndataset: {name: d}\nmodel: {arch: cox}\n")))
      .toEqual([expect.objectContaining({ path: "model.arch", message: expect.stringContaining("training.task: risk") })]);
    expect(issuesOf(() => loadConfig("name: x\ndataset: {name: d, labels: {set: all, other_class: true}}\ntraining: {task: risk}\n")))
      .toEqual([expect.objectContaining({ path: "dataset.labels.other_class", message: expect.stringContaining("follow-up time and event") })]);
    expect(issuesOf(() => loadConfig("name: x\ndataset: {name: d}\ntraining: {task: risk, risk: {max_followup: 30}}\n")))
      .toEqual([expect.objectContaining({ path: "training.risk.max_followup" })]);
    expect(issuesOf(() => loadConfig("name: x\ndataset: {name: d}\nmodel: {risk: {aggregation: sum}}\ntraining: {task: risk}\n")))
      .toEqual([expect.objectContaining({ path: "model.risk.aggregation", message: expect.stringContaining("mean, max, attention") })]);
  });

  // issue #17: keys that nothing read are refused, not accepted and ignored
  it("refuses dataset.split.column: the split column is the one the dataset was imported with", () => {
    for (const column of ["fold", null])
      expect(issuesOf(() => validateConfig({ name: "x", dataset: { name: "d", split: { by: "column", column } } })))
        .toEqual([{ path: "dataset.split.column", message: expect.stringContaining("--split-col") }]);
    expect(loadConfig("name: x\ndataset: {name: d, split: {by: column}}\n").dataset.split).not.toHaveProperty("column");
  });

  it("refuses the classifier's head sizes for a detector and a label set for risk, which never read them", () => {
    expect(issuesOf(() => loadConfig("name: x\ndataset: {name: d}\nmodel: {image_head: 64, metadata: {hidden: 32}}\ntraining: {task: detection}\n")))
      .toEqual([
        { path: "model.image_head", message: expect.stringContaining("detection models do not read model.image_head") },
        { path: "model.metadata.hidden", message: expect.stringContaining("model.metadata.hidden") },
      ]);
    expect(issuesOf(() => loadConfig("name: x\ndataset: {name: d, labels: {set: common3}}\ntraining: {task: risk}\n")))
      .toEqual([{ path: "dataset.labels.set", message: expect.stringContaining("remove dataset.labels.set") }]);
    // the same keys at their defaults, or under a task that reads them, are fine
    expect(loadConfig("name: x\ndataset: {name: d}\nmodel: {image_head: 256}\ntraining: {task: detection}\n").model.image_head).toBe(256);
    expect(loadConfig("name: x\ndataset: {name: d}\nmodel: {image_head: 64}\ntraining: {task: risk}\n").model.image_head).toBe(64);
    expect(loadConfig("name: x\ndataset: {name: d, labels: {set: common3}}\ntraining: {task: detection}\n").dataset.labels.set).toBe("common3");
  });
  it("refuses class_weights for detection and risk, whose losses it does not weight", () => {
    for (const task of ["detection", "risk"])
      expect(issuesOf(() => loadConfig(`name: x\ndataset: {name: d}\ntraining: {task: ${task}, class_weights: balanced}\n`)))
        .toEqual([{ path: "training.class_weights", message: expect.stringContaining("multilabel and multiclass") }]);
    expect(loadConfig("name: x\ndataset: {name: d}\ntraining: {task: multiclass, class_weights: balanced}\n").training.class_weights).toBe("balanced");
    expect(loadConfig("name: x\ndataset: {name: d}\ntraining: {task: detection, class_weights: none}\n").training.class_weights).toBe("none");
  });

  it("accepts adam, as the trainer does", () => {
    expect(loadConfig("name: x\ndataset: {name: d}\ntraining: {optimizer: {name: adam}}\n").training.optimizer.name).toBe("adam");
  });
});
