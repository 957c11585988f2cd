// Page object for /runs/new: the example picker, the YAML editor, the live issue list and submit.
import { expect, type Locator, type Page } from "@playwright/test";

export class NewRunPage {
  readonly example: Locator;
  readonly yaml: Locator;
  readonly issues: Locator;
  readonly valid: Locator;
  readonly submit: Locator;

  constructor(readonly page: Page) {
    this.example = page.getByTestId("example-config");
    this.yaml = page.getByTestId("config-yaml");
    this.issues = page.getByTestId("config-issue");
    this.valid = page.getByTestId("config-valid");
    this.submit = page.getByTestId("submit-run");
  }

  async chooseExample(file: string): Promise<string> {
    await expect(this.example.locator(`option[value="${file}"]`)).toHaveCount(1);
    await this.example.selectOption(file);
    await expect(this.yaml).not.toHaveValue("");
    return this.yaml.inputValue();
  }

  /** The issue shown for one field path, e.g. "training.phases[0].lr". */
  issueAt(path: string): Locator {
    return this.page.locator(`[data-testid="config-issue"][data-path="${path}"]`);
  }
}

/** The structured form over the same YAML: label picker, other-ratio slider, phase editor. */
export class ConfigFormPart {
  constructor(readonly page: Page) {}

  field(path: string): Locator {
    return this.page.locator(`[data-field="${path}"]`);
  }
  fieldError(path: string): Locator {
    return this.page.locator(`[data-testid="field-error"][data-path="${path}"]`);
  }
  get phaseRows(): Locator {
    return this.page.getByTestId("phase-row");
  }
  phase(i: number, what: "name" | "epochs" | "lr" | "train"): Locator {
    return this.phaseRows.nth(i).getByTestId(`phase-${what}`);
  }
  async setSlider(testId: string, value: number): Promise<void> {
    await this.page.getByTestId(testId).evaluate((el, v) => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(el, String(v));
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }, value);
  }
}
