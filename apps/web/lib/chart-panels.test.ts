import { describe, expect, it } from "vitest";
import { RUN_CHART_KEYS, runPanels, taskOf } from "./chart-panels.ts";

const titles = (p: { title: string; keys: readonly string[] }[]) => p.map((x) => `${x.title}: ${x.keys.join(",")}`);

describe("run page charts by task", () => {
  it("classification keeps today's panels, in order, with their first keys (the test ids)", () => {
    const keys = ["train/loss", "val/loss", "val/auc_macro", "val/map", "train/lr", "train/img_per_s", "val/auc/mel", "val/auc/nev", "val/ap/mel"];
    const { main, perClass, perClassTitle } = runPanels("multilabel", keys);
    expect(titles(main)).toEqual([
      "Loss: train/loss,val/loss",
      "AUC macro (val): val/auc_macro",
      "mAP (val): val/map",
      "Learning rate per parameter group: train/lr",
      "Throughput (images/s): train/img_per_s",
      "Epoch time (s): epoch/seconds",
    ]);
    expect(main.find((p) => p.keys[0] === "train/lr")?.format).toBe("lr");
    expect(perClass.map((p) => p.keys[0])).toEqual(["val/auc/mel", "val/auc/nev"]);
    expect(perClassTitle).toBe("Per-class AUC (val)");
  });
  it("plots one line per parameter group when the trainer logs them", () => {
    const { main } = runPanels("multiclass", ["train/loss", "train/lr", "train/lr/backbone", "train/lr/heads"]);
    expect(main.find((p) => p.format === "lr")?.keys).toEqual(["train/lr/backbone", "train/lr/heads"]);
  });
  it("detection shows mAP50-95, mAP50, precision / recall and the loss components the model has", () => {
    const keys = ["train/loss", "train/loss/box", "train/loss/class", "val/loss", "val/map50_95", "val/map50", "val/precision", "val/recall", "train/lr", "val/ap50/mass", "val/ap/mass"];
    const { main, perClass, perClassTitle } = runPanels("detection", keys);
    expect(titles(main)).toEqual([
      "Loss: train/loss,val/loss",
      "mAP50-95 (val): val/map50_95",
      "mAP50 (val): val/map50",
      "Precision / recall (val): val/precision,val/recall",
      // a RetinaNet logs no centerness, objectness or rpn loss: those lines are not in the chart
      "Loss components: train/loss/box,train/loss/class",
      "Learning rate per parameter group: train/lr",
      "Epoch time (s): epoch/seconds",
    ]);
    expect(perClass.map((p) => p.keys[0])).toEqual(["val/ap50/mass"]);
    expect(perClassTitle).toBe("Per-class AP50 (val)");
  });
  it("hides a chart the run has no series for", () => {
    const { main } = runPanels("detection", ["train/loss"]);
    expect(titles(main)).toEqual(["Loss: train/loss", "Epoch time (s): epoch/seconds"]);
  });
  it("reads the task from the run's config; runs from before tasks are multi-label", () => {
    expect(taskOf({ training: { task: "detection" } })).toBe("detection");
    expect(taskOf({ training: {} })).toBe("multilabel");
    expect(taskOf({ training: { task: "nonsense" } })).toBe("multilabel");
  });
  it("holds every task's chart keys live, each once", () => {
    expect(RUN_CHART_KEYS).toEqual(expect.arrayContaining(["train/loss", "val/auc_macro", "val/map", "val/map50_95", "val/map50", "train/loss/box"]));
    expect(new Set(RUN_CHART_KEYS).size).toBe(RUN_CHART_KEYS.length);
  });
});
