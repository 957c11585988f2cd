// Which metric keys the compare view's tables list, for classification, detection and risk runs alike: the
// headline metrics of every task, and the per-class ones (AUC / AP per class; AP50 per class for
// detection). A key no selected run has is not listed (keysMatching filters by what the summaries hold). Pure.

/** Headline val/ and test/ metrics: classification, detection, then risk (the true hazard's C-index on the demo). */
export const HEADLINE_KEYS =
  /^(val|test)\/(loss|auc_macro|map|auc_micro|f1_macro|accuracy|map50_95|map50|map75|precision|recall|findings_auc|c_index|c_index_uno|c_index_oracle|auc_year_mean)$/;

/** Per-class metrics of the final evaluation. */
export const CLASS_KEYS = /^val\/(auc|ap|ap50)\//;
