// Backbone options under model.<backbone> (validated per backbone), gradient checkpointing, decision thresholds,
// the debug knobs, and progressive unfreezing expanded into phases.
import { describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "./load.ts";
import { expandProgressiveUnfreezing } from "./progressive-unfreezing.ts";

const base = { name: "x", dataset: { name: "d", image_size: 64 } };
const withModel = (model: object, training: object = {}) => ({ ...base, model: { pretrained: "none", ...model }, training });

function issues(raw: unknown): Record<string, string> {
  try {
    validateConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return Object.fromEntries((e as ConfigError).issues.map((i) => [i.path, i.message]));
  }
  throw new Error("expected a ConfigError");
}

describe("backbone options", () => {
  it("fills the configured backbone's options and only those", () => {
    const c = validateConfig(withModel({ backbone: "vit_conv_stem" }));
    expect(c.model.vit_conv_stem).toEqual({ dim: 192, depth: 10, heads: 3, mlp_dim: 768, dropout: 0.1 });
    expect(c.model.baseline_cnn).toBeUndefined();
    const cnn = validateConfig(withModel({ backbone: "baseline_cnn", baseline_cnn: { conv_blocks: 3, classifier_hidden: 32 } }));
    expect(cnn.model.baseline_cnn).toEqual({ conv_blocks: 3, channels: [32, 64, 128], classifier_hidden: 32 });
    expect(validateConfig(withModel({ backbone: "resnet18" })).model.vit_conv_stem).toBeUndefined();
  });

  it("refuses one backbone's options under another, heads that do not divide dim, and sizes that do not fit", () => {
    expect(issues(withModel({ backbone: "resnet50", vit_conv_stem: { depth: 4 } }))["model.vit_conv_stem"]).toMatch(
      /configures the vit_conv_stem backbone but model.backbone is resnet50; remove model.vit_conv_stem or set model.backbone: vit_conv_stem/);
    expect(issues(withModel({ backbone: "vit_conv_stem", baseline_cnn: {} }))["model.baseline_cnn"]).toMatch(/model.backbone is vit_conv_stem/);
    expect(issues(withModel({ backbone: "vit_conv_stem", vit_conv_stem: { dim: 192, heads: 5 } }))["model.vit_conv_stem.heads"]).toMatch(
      /5 heads do not divide dim 192.*use heads 1, 2, 3, 4, 6, 8, 12, 16/);
    expect(issues({ ...withModel({ backbone: "vit_conv_stem" }), dataset: { name: "d", image_size: 66 } })["dataset.image_size"]).toMatch(/divisible by 4 \(64 or 68\)/);
    expect(issues(withModel({ backbone: "baseline_cnn", baseline_cnn: { conv_blocks: 3, channels: [8, 16] } }))["model.baseline_cnn.channels"]).toMatch(/2 widths for 3 conv_blocks/);
    expect(issues(withModel({ backbone: "baseline_cnn", baseline_cnn: { conv_blocks: 7 } }))["model.baseline_cnn.conv_blocks"]).toMatch(/use at most 6/);
  });

  it("allows gradient checkpointing for the transformers only", () => {
    expect(validateConfig(withModel({ backbone: "vit_conv_stem" }, { gradient_checkpointing: true })).training.gradient_checkpointing).toBe(true);
    expect(issues(withModel({ backbone: "resnet50" }, { gradient_checkpointing: true }))["training.gradient_checkpointing"]).toMatch(
      /resnet50 does not support gradient checkpointing.*vit_conv_stem, vit_b_16/);
  });
});

describe("decision thresholds and debug knobs", () => {
  it("tunes multilabel thresholds and refuses them for multiclass", () => {
    expect(validateConfig({ ...base, training: { decision_threshold: { tune: "f1" } } }).training.decision_threshold).toEqual({ value: 0.5, tune: "f1" });
    expect(issues({ ...base, training: { task: "multiclass", decision_threshold: { value: 0.3 } } })["training.decision_threshold"]).toMatch(/argmax/);
  });

  it("takes a number of batches or a share, and a profile of N steps", () => {
    const t = validateConfig({ ...base, training: { limit_train_batches: 3, limit_val_batches: 0.25, profile: { steps: 4 } } }).training;
    expect([t.limit_train_batches, t.limit_val_batches, t.profile]).toEqual([3, 0.25, { steps: 4, skip: 1 }]);
    expect(validateConfig(base).training.limit_train_batches).toBeNull();
    expect(issues({ ...base, training: { limit_train_batches: 2.5 } })["training.limit_train_batches"]).toMatch(/whole number of batches.*share between 0 and 1/);
  });
});

describe("progressive unfreezing", () => {
  const pu = { schedule: [5, 10, 15], epochs: 20, lr: 1e-3 };

  it("expands into phases over the backbone's stages from the top", () => {
    const c = validateConfig({ ...base, model: { backbone: "resnet50" }, training: { progressive_unfreezing: pu } });
    expect(c.training.phases.map((p) => [p.name, p.epochs, p.train, p.lr])).toEqual([
      ["heads", 4, ["heads"], 1e-3],
      ["unfreeze_1", 5, ["heads", "layer4"], 1e-3],
      ["unfreeze_2", 5, ["heads", "layer4", "layer3"], 1e-3],
      ["unfreeze_3", 6, ["heads", "layer4", "layer3", "layer2"], 1e-3],
    ]);
    expect(c.training.phases.reduce((n, p) => n + p.epochs, 0)).toBe(20);
    expect(c.training.phases[0]!.bn_update).toBe(false);
    expect(c.training.progressive_unfreezing).toMatchObject(pu); // kept, for the record
  });

  it("trains [all] once every stage is reached, and takes its own stage order", () => {
    const phases = expandProgressiveUnfreezing({ schedule: [1, 2], epochs: 3, lr: 1, stages: [["block2", "block1"], "hidden"], backbone_lr_mult: 0.5, lr_schedule: "cosine", warmup_epochs: 0 },
      "baseline_cnn", { conv_blocks: 2, classifier_hidden: 8 });
    expect(phases.map((p) => [p.name, p.epochs, p.train, p.backbone_lr_mult, p.schedule])).toEqual([
      ["unfreeze_1", 1, ["heads", "block2", "block1"], 0.5, "cosine"],
      ["unfreeze_2", 2, ["all"], 0.5, "cosine"],
    ]);
  });

  it("refuses a schedule that does not increase, overruns the epochs or the stages, unknown stages, and explicit phases too", () => {
    const at = (p: object, model: object = { backbone: "resnet50" }) => issues({ ...base, model, training: { progressive_unfreezing: { ...pu, ...p } } });
    expect(at({ schedule: [5, 5] })["training.progressive_unfreezing.schedule[1]"]).toMatch(/must increase: epoch 5 comes after 5/);
    expect(at({ schedule: [5, 25] })["training.progressive_unfreezing.schedule[1]"]).toMatch(/after the last epoch \(epochs: 20\)/);
    expect(at({ schedule: [2, 3, 4, 5, 6, 7] })["training.progressive_unfreezing.schedule"]).toMatch(/6 unfreezing steps but resnet50 has 5 stage groups/);
    expect(at({ stages: ["layer9"] })["training.progressive_unfreezing.stages[0]"]).toMatch(/"layer9" is not a stage of resnet50; its stages are stem, layer1/);
    const both = issues({ ...base, training: { progressive_unfreezing: pu, phases: [{ name: "a", epochs: 1, lr: 1 }] } });
    expect(both["training.progressive_unfreezing"]).toMatch(/training.phases and training.progressive_unfreezing both/);
  });
});
