import { describe, expect, it } from "vitest";
import type { TaskChart } from "@trainyard/protocol/tasks";
import { panelKeys, RUN_CHART_KEYS, runPanels, taskOf } from "./chart-panels.ts";

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
  it("risk: loss, both C-indices, AUC by year with every year the run has, in year order; no small multiples", () => {
    const keys = ["train/loss", "val/loss", "val/c_index", "val/c_index_uno", "val/auc_year_mean", "val/auc_year/2", "val/auc_year/1", "val/auc_year/10", "test/auc_year/1", "train/lr"];
    const { main, perClass, perClassTitle } = runPanels("risk", keys);
    expect(titles(main)).toEqual([
      "Loss: train/loss,val/loss",
      "C-index (val): val/c_index,val/c_index_uno",
      "AUC by year (val): val/auc_year_mean,val/auc_year/1,val/auc_year/2,val/auc_year/10",
      "Learning rate per parameter group: train/lr",
      "Epoch time (s): epoch/seconds",
    ]);
    expect(perClass).toEqual([]);
    expect(perClassTitle).toBe("");
  });
  it("risk charts grow live: a year first logged later becomes a line; a chart appears with its first key", () => {
    expect(titles(runPanels("risk", ["train/loss"]).main)).toEqual(["Loss: train/loss", "Epoch time (s): epoch/seconds"]);
    const first = runPanels("risk", ["train/loss", "val/c_index", "val/auc_year_mean", "val/auc_year/1"]).main;
    expect(first.find((p) => p.title === "AUC by year (val)")?.keys).toEqual(["val/auc_year_mean", "val/auc_year/1"]);
    const later = runPanels("risk", ["train/loss", "val/c_index", "val/auc_year_mean", "val/auc_year/1", "val/auc_year/3"]).main;
    expect(later.find((p) => p.title === "AUC by year (val)")?.keys).toEqual(["val/auc_year_mean", "val/auc_year/1", "val/auc_year/3"]);
    // a year without the mean still draws the chart, named by its first key
    expect(runPanels("risk", ["val/auc_year/2"]).main[0].keys).toEqual(["val/auc_year/2"]);
  });
  it("expands a wildcard in any chart: only keys under its prefix, literal keys kept in place, no repeats", () => {
    const chart: TaskChart = { title: "Dice", keys: ["val/dice_mean", "val/dice/*", "val/dice/liver"], format: "metric" };
    const keys = ["val/dice/liver", "val/dice/kidney", "val/dice_mean", "val/dicey", "train/dice/liver"];
    expect(panelKeys(chart, keys)).toEqual(["val/dice_mean", "val/dice/kidney", "val/dice/liver"]);
    expect(panelKeys(chart, [])).toEqual([]);
  });
  it("holds no wildcard key live (the keys it stands for come with a literal key of the same chart)", () => {
    expect(RUN_CHART_KEYS.some((k) => k.includes("*"))).toBe(false);
    expect(RUN_CHART_KEYS).toEqual(expect.arrayContaining(["val/c_index", "val/c_index_uno", "val/auc_year_mean"]));
  });
});
