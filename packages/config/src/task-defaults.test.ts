import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load.ts";

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}

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

  it("accepts adam, as the trainer does", () => {
    expect(loadConfig("name: x\ndataset: {name: d}\ntraining: {optimizer: {name: adam}}\n").training.optimizer.name).toBe("adam");
  });
});
