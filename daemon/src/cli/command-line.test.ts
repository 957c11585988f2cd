import { describe, expect, it } from "vitest";
import { reviewedImportCommand, shellQuote } from "./command-line.ts";

describe("reviewedImportCommand", () => {
  it("keeps every option the schema was inferred with and swaps --infer-schema for --schema", () => {
    const args = ["ham", "--manifest", "HAM10000_metadata.csv", "--images", "images/", "--image-col", "image_id",
      "--group-col", "lesion_id", "--label-col", "dx", "--infer-schema", "schema.json"];
    expect(reviewedImportCommand(args, "schema.json")).toBe(
      "trainyard dataset import ham --manifest HAM10000_metadata.csv --images images/ --image-col image_id --group-col lesion_id --label-col dx --schema schema.json",
    );
    expect(reviewedImportCommand(["d", "--infer-schema=s.json", "--delimiter", ";", "--manifest", "my data.csv"], "s.json")).toBe(
      "trainyard dataset import d --delimiter ';' --manifest 'my data.csv' --schema s.json",
    );
  });

  it("quotes for the shell so the command pastes back exactly", () => {
    expect(shellQuote("plain/path-1.csv")).toBe("plain/path-1.csv");
    expect(shellQuote("it's here")).toBe(`'it'"'"'s here'`);
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("$HOME")).toBe("'$HOME'");
  });
});
