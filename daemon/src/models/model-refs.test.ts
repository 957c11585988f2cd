import { describe, expect, it } from "vitest";
import { checkAliasName, checkModelName, parseModelRef, parseTags, parseVersionNumber } from "./model-refs.ts";

describe("model references", () => {
  it("reads M as the newest version, M@3 / M@v3 as a number, M@name as an alias", () => {
    expect(parseModelRef("lesions")).toEqual({ name: "lesions", selector: { kind: "latest" } });
    expect(parseModelRef(" lesions@latest ")).toEqual({ name: "lesions", selector: { kind: "latest" } });
    expect(parseModelRef("lesions@3")).toEqual({ name: "lesions", selector: { kind: "version", version: 3 } });
    expect(parseModelRef("lesions@v12")).toEqual({ name: "lesions", selector: { kind: "version", version: 12 } });
    expect(parseModelRef("x-ray.v2@production")).toEqual({ name: "x-ray.v2", selector: { kind: "alias", alias: "production" } });
  });

  it("refuses what is neither, saying what a reference looks like", () => {
    expect(() => parseModelRef("")).toThrow("is not MODEL, MODEL@VERSION or MODEL@ALIAS");
    expect(() => parseModelRef("@3")).toThrow("is not MODEL, MODEL@VERSION or MODEL@ALIAS");
    expect(() => parseModelRef("lesions@")).toThrow("is not MODEL, MODEL@VERSION or MODEL@ALIAS");
    expect(() => parseModelRef("lesions@0")).toThrow('"0" is neither a version number nor an alias name');
    expect(() => parseModelRef("lesions@Prod")).toThrow('"Prod" is neither a version number nor an alias name');
    expect(() => parseModelRef("les ions@1")).toThrow('model name "les ions": use 1-100 letters');
  });

  it("validates names, aliases and version numbers", () => {
    expect(checkModelName("lesion-classifier_2.1")).toBe("lesion-classifier_2.1");
    expect(() => checkModelName("-lead")).toThrow("starting with a letter or digit");
    expect(() => checkModelName("a/b")).toThrow('model name "a/b"');
    expect(() => checkModelName("x".repeat(101))).toThrow("1-100");
    expect(checkAliasName("candidate-2")).toBe("candidate-2");
    expect(() => checkAliasName("latest")).toThrow("reserved");
    expect(() => checkAliasName("2")).toThrow("starting with a letter");
    expect(() => checkAliasName("Production")).toThrow("lower-case");
    expect(parseVersionNumber("7")).toBe(7);
    expect(parseVersionNumber("v7")).toBe(7);
    expect(parseVersionNumber("07")).toBeNull();
    expect(parseVersionNumber("seven")).toBeNull();
  });

  it("parses tags as KEY=VALUE or bare, later ones winning", () => {
    expect(parseTags(["stage=demo", "baseline", "stage=prod", "note=a=b"])).toEqual({ stage: "prod", baseline: "", note: "a=b" });
    expect(() => parseTags(["=x"])).toThrow('tag "=x": write KEY=VALUE or a bare TAG');
    expect(() => parseTags(["k=" + "v".repeat(501)])).toThrow('tag "k": the value is 501 characters');
  });
});
