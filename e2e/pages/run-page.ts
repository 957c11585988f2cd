// Page object for /runs/<id>: status, live chart point counts, checkpoint download.
import type { Locator, Page } from "@playwright/test";

export class RunPage {
  readonly status: Locator;
  readonly downloadBest: Locator;
  readonly stderrTail: Locator;

  constructor(readonly page: Page) {
    this.status = page.getByTestId("run-header").getByTestId("run-status");
    this.downloadBest = page.getByTestId("download-best");
    this.stderrTail = page.getByTestId("stderr-tail");
  }

  chart(key: string): Locator {
    return this.page.getByTestId(`chart-${key}`);
  }

  /** Points drawn by the chart named after `key` (its data-points attribute). */
  async points(key: string): Promise<number> {
    const v = await this.chart(key).getAttribute("data-points");
    return v == null ? 0 : Number(v);
  }
}
