// Resolve a config's label set (registered name, "all", or inline list) against a dataset's diagnoses.
import { ConfigError } from "@trainyard/config";
import { getLabelSet, listLabelSets, type Db } from "@trainyard/db";
import { matchLabels } from "@trainyard/data";

export function resolveLabelSet(db: Db, set: string | string[], diagnoses: Record<string, number>): string[] {
  let requested: string[];
  if (Array.isArray(set)) requested = set;
  else if (set === "all") requested = Object.keys(diagnoses);
  else {
    const row = getLabelSet(db, set);
    if (!row) {
      const known = listLabelSets(db).map((l) => l.name);
      throw new ConfigError([
        {
          path: "dataset.labels.set",
          message: `unknown label set "${set}"; ${known.length ? `known: ${known.join(", ")}` : "none registered"} (register one with \`trainyard labels add NAME FILE\`, or write the labels as a list)`,
        },
      ]);
    }
    requested = row.labels;
  }
  const result = matchLabels(requested, Object.keys(diagnoses));
  if (result.unknown.length) {
    throw new ConfigError(
      result.unknown.map((u) => ({
        path: "dataset.labels.set",
        message: `"${u.label}" is not a diagnosis of this dataset${u.closest.length ? `; closest: ${u.closest.join(", ")}` : ""}`,
      })),
    );
  }
  if (!result.matched.length) throw new ConfigError([{ path: "dataset.labels.set", message: "the label set is empty" }]);
  return result.matched;
}
