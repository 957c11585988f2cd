// Page object for /compare: the overlaid charts and the tables under them.
import type { Locator, Page } from "@playwright/test";

export class ComparePage {
  readonly view: Locator;
  readonly configDiffRows: Locator;
  constructor(readonly page: Page) {
    this.view = page.getByTestId("compare-view");
    this.configDiffRows = page.getByTestId("config-diff-row");
  }
  chart(key: string): Locator {
    return this.page.getByTestId(`chart-${key}`);
  }
  async lines(key: string): Promise<number> {
    return Number((await this.chart(key).getAttribute("data-lines")) ?? 0);
  }
}
