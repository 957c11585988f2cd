// Which metric keys the compare view's tables list, for classification and detection runs alike: the
// headline metrics of every task, and the per-class ones (AUC / AP per class; AP50 per class for
// detection). A key no selected run has is not listed (keysMatching filters by what the summaries hold). Pure.

/** Headline val/ and test/ metrics: classification, then detection. */
export const HEADLINE_KEYS = /^(val|test)\/(loss|auc_macro|map|auc_micro|f1_macro|accuracy|map50_95|map50|map75|precision|recall|findings_auc)$/;

/** Per-class metrics of the final evaluation. */
export const CLASS_KEYS = /^val\/(auc|ap|ap50)\//;
