// The stage names of each backbone, in input-to-output order: the names a phase's `train` list may use and the
// order progressive unfreezing walks (from the last stage down). Mirrors the trainer's models.backbone_stages;
// packages/trainer/tests/test_backbone_stages.py builds each backbone and compares (through
// config_defaults.json's backbone_stages).

export interface StageOptions {
  /** baseline_cnn: blocks, and whether the hidden classifier layer exists. */
  conv_blocks?: number;
  classifier_hidden?: number | null;
  /** vit_conv_stem: transformer layers. */
  depth?: number;
}

const range = (n: number, name: (i: number) => string) => Array.from({ length: n }, (_, i) => name(i));

export function backboneStages(backbone: string, options: StageOptions = {}): string[] {
  if (backbone.startsWith("resnet")) return ["stem", "layer1", "layer2", "layer3", "layer4"];
  if (backbone.startsWith("efficientnet")) return range(9, (i) => `features.${i}`);
  if (backbone === "convnext_tiny") return [...range(8, (i) => `features.${i}`), "norm"];
  if (backbone === "mobilenet_v3_large") return range(17, (i) => `features.${i}`);
  if (backbone === "vit_b_16") return ["embed", ...range(12, (i) => `encoder.layers.${i}`), "encoder.ln"];
  if (backbone === "baseline_cnn")
    return [...range(options.conv_blocks ?? 4, (i) => `block${i + 1}`), ...(options.classifier_hidden ? ["hidden"] : [])];
  if (backbone === "vit_conv_stem") return ["stem", "embed", ...range(options.depth ?? 10, (i) => `encoder.layers.${i}`), "norm"];
  return [];
}
