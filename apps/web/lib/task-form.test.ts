import { describe, expect, it } from "vitest";
import { experimentSchema } from "@trainyard/config";
import { readConfig, setConfigValue } from "./config-doc.ts";
import { archLabel, archOptions, formSections, formTask, monitorFallback, taskSwitchEdits } from "./task-form.ts";

const YAML = `name: t
dataset:
  name: shapes
  labels: {set: all, other_class: true}
model:
  arch: gen2a
  backbone: resnet18
  image_head: 64
  metadata: {enabled: true, hidden: 32}
training:
  phases:
    - {name: all, epochs: 1, lr: 0.001}
  early_stopping: {monitor: val/auc_macro}
  checkpoint: {monitor: val/loss, mode: min}
`;

const apply = (text: string, task: Parameters<typeof taskSwitchEdits>[1]) =>
  taskSwitchEdits(readConfig(text).value, task).reduce((t, [path, v]) => setConfigValue(t, path, v), text);

describe("the form's task", () => {
  it("offers each task's models and monitor", () => {
    expect(archOptions("detection")).toEqual(["fcos", "retinanet", "faster_rcnn", "ssdlite", "faster_rcnn_mobilenet"]);
    expect(archOptions("multiclass")).toEqual(["gen2a"]);
    expect(monitorFallback("detection")).toBe("val/map50_95");
    expect(monitorFallback("multilabel")).toBe("val/auc_macro");
    expect(formTask({})).toBe("multilabel");
  });
  it("switching to detection drops the classifier, the other class and the AUC monitor; keeps the rest", () => {
    const before = experimentSchema.safeParse({ ...readConfig(YAML).value, training: { ...(readConfig(YAML).value!.training as object), task: "detection" } });
    expect(before.success).toBe(false); // just setting the task leaves a config detection refuses
    const text = apply(YAML, "detection");
    const v = readConfig(text).value!;
    expect(formTask(v)).toBe("detection");
    expect((v.model as Record<string, unknown>).arch).toBeUndefined();
    expect((v.model as Record<string, unknown>).image_head).toBeUndefined(); // a detector has its own heads
    expect((v.model as Record<string, unknown>).metadata).toEqual({ enabled: true });
    expect((v.dataset as { labels: Record<string, unknown> }).labels).toEqual({ set: "all" });
    expect((v.training as { early_stopping: object }).early_stopping).toEqual({});
    expect((v.training as { checkpoint: object }).checkpoint).toEqual({ monitor: "val/loss", mode: "min" }); // the user's own choice fits
    const parsed = experimentSchema.safeParse(v);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(text).toContain("backbone: resnet18");
  });
  it("switching between the classification tasks keeps the model and the other class", () => {
    expect(taskSwitchEdits(readConfig(YAML).value, "multiclass")).toEqual([[["training", "task"], "multiclass"]]);
  });
  it("risk offers its two models and watches the C-index", () => {
    expect(archOptions("risk")).toEqual(["cumulative_hazard", "cox"]);
    expect(monitorFallback("risk")).toBe("val/c_index");
    expect(archLabel("risk")).toBe("Risk model");
    expect(archLabel("detection")).toBe("Detector");
    expect(archLabel("multilabel")).toBe("Architecture");
  });
  it("shows risk's fields and hides the label set and the other class for risk; each task its own", () => {
    expect(formSections("risk")).toEqual({ labelSet: false, otherClass: false, detection: false, risk: true, imageHead: true });
    expect(formSections("detection")).toEqual({ labelSet: true, otherClass: false, detection: true, risk: false, imageHead: false });
    expect(formSections("multilabel")).toEqual({ labelSet: true, otherClass: true, detection: false, risk: false, imageHead: true });
    expect(formSections("multiclass").risk).toBe(false);
  });
  it("switching to risk drops the classifier, the whole label set and the AUC monitor; the config is then valid", () => {
    const text = apply(YAML, "risk");
    const v = readConfig(text).value!;
    expect(formTask(v)).toBe("risk");
    expect((v.model as Record<string, unknown>).arch).toBeUndefined();
    expect((v.dataset as Record<string, unknown>).labels).toBeUndefined();
    expect((v.training as { early_stopping: object }).early_stopping).toEqual({});
    expect((v.training as { checkpoint: object }).checkpoint).toEqual({ monitor: "val/loss", mode: "min" });
    const parsed = experimentSchema.safeParse(v);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(parsed.data?.model.arch).toBe("cumulative_hazard");
    expect(parsed.data?.training.risk).toEqual({ max_followup: 5, missing_views: "drop" });
    expect(text).toContain("backbone: resnet18");
  });
  it("switching from risk to detection drops the C-index monitor and the risk model", () => {
    const risk = setConfigValue(apply(YAML, "risk"), ["training", "risk", "max_followup"], 3);
    const withRisk = setConfigValue(setConfigValue(risk, ["model", "arch"], "cox"), ["training", "early_stopping", "monitor"], "val/c_index");
    const v = readConfig(apply(withRisk, "detection")).value!;
    expect((v.model as Record<string, unknown>).arch).toBeUndefined();
    expect((v.training as { early_stopping: object }).early_stopping).toEqual({});
    expect((v.training as { risk: object }).risk).toEqual({ max_followup: 3 }); // harmless to detection: kept
    expect(experimentSchema.safeParse(v).success).toBe(true);
  });
});
