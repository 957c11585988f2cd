import { describe, expect, it } from "vitest";
import { experimentSchema } from "@trainyard/config";
import { readConfig, setConfigValue } from "./config-doc.ts";
import { archOptions, formTask, monitorFallback, taskSwitchEdits } from "./task-form.ts";

const YAML = `name: t
dataset:
  name: shapes
  labels: {set: all, other_class: true}
model:
  arch: gen2a
  backbone: resnet18
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
});
