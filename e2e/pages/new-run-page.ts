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
