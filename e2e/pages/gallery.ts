// Page object for a detection run's prediction gallery: the evaluation picker, the score slider, the
// images with their predicted and true boxes.
import type { Locator, Page } from "@playwright/test";

export class GalleryPart {
  readonly root: Locator;
  readonly items: Locator;
  readonly evaluation: Locator;
  readonly threshold: Locator;
  readonly thresholdValue: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId("prediction-gallery");
    this.items = this.root.getByTestId("gallery-item");
    this.evaluation = this.root.getByTestId("gallery-evaluation");
    this.threshold = this.root.getByTestId("score-threshold");
    this.thresholdValue = this.root.getByTestId("score-threshold-value");
  }

  /** Predicted boxes drawn over all images at the current threshold. */
  predicted(): Locator {
    return this.root.getByTestId("pred-box");
  }

  truth(): Locator {
    return this.root.getByTestId("truth-box");
  }

  noFindings(): Locator {
    return this.root.getByTestId("no-findings");
  }

  /** Moves the score slider (a range input) to `value`, as a drag would. */
  async setThreshold(value: number): Promise<void> {
    await this.threshold.evaluate((el, v) => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(el, String(v));
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }, value);
  }

  /** The highest predicted score of the shown evaluation (every box is drawn at threshold 0). */
  async maxScore(): Promise<number> {
    await this.setThreshold(0);
    const scores = await this.predicted().evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-score"))));
    return scores.length ? Math.max(...scores) : 0;
  }
}
