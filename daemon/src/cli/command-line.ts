// Printing a command back for the user to run: quoted for a POSIX shell, so what they paste is what ran.

/** One argument as a POSIX shell reads it back: bare when safe, else in single quotes. */
export function shellQuote(arg: string): string {
  if (arg !== "" && /^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'"'"'`)}'`;
}

/**
 * The `dataset import` command to run after reviewing an inferred schema: every option the user gave (column
 * choices, delimiters, boxes, ...) with `--infer-schema F` replaced by `--schema F`, so it imports the same
 * dataset the schema was inferred for.
 */
export function reviewedImportCommand(importArgs: readonly string[], schemaFile: string): string {
  const kept: string[] = [];
  for (let i = 0; i < importArgs.length; i++) {
    const a = importArgs[i];
    if (a === "--infer-schema") {
      i++; // and its value
      continue;
    }
    if (a.startsWith("--infer-schema=") || a === "--schema" || a.startsWith("--schema=")) {
      if (a === "--schema") i++;
      continue;
    }
    kept.push(a);
  }
  return ["trainyard", "dataset", "import", ...kept, "--schema", schemaFile].map(shellQuote).join(" ");
}
