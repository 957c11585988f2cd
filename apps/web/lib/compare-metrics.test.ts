import { describe, expect, it } from "vitest";
import { CLASS_KEYS, HEADLINE_KEYS } from "./compare-metrics.ts";

describe("compare tables across tasks", () => {
  it("list the headline metrics of classification and detection, not train keys or per-class ones", () => {
    const keys = ["val/loss", "val/auc_macro", "test/map", "val/map50_95", "test/map50", "val/precision", "val/recall", "val/findings_auc", "train/loss", "val/ap50/mass", "val/auc/mel"];
    expect(keys.filter((k) => HEADLINE_KEYS.test(k))).toEqual(["val/loss", "val/auc_macro", "test/map", "val/map50_95", "test/map50", "val/precision", "val/recall", "val/findings_auc"]);
  });
  it("list per-class AUC, AP and AP50", () => {
    const keys = ["val/auc/mel", "val/ap/mel", "val/ap50/mass", "val/f1/mel", "val/precision/mass", "test/ap50/mass"];
    expect(keys.filter((k) => CLASS_KEYS.test(k))).toEqual(["val/auc/mel", "val/ap/mel", "val/ap50/mass"]);
  });
  it("list risk's C-indices and mean AUC by year (the per-year AUCs are in the AUC-by-year plot)", () => {
    const keys = ["val/c_index", "test/c_index_uno", "test/c_index_oracle", "val/auc_year_mean", "val/auc_year/3", "test/auc_year/1"];
    expect(keys.filter((k) => HEADLINE_KEYS.test(k))).toEqual(["val/c_index", "test/c_index_uno", "test/c_index_oracle", "val/auc_year_mean"]);
    expect(keys.filter((k) => CLASS_KEYS.test(k))).toEqual([]);
  });
});
