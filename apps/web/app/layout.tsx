import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { Providers } from "./providers.tsx";
import "./globals.css";
import "./charts.css";

export const metadata: Metadata = {
  title: { default: "Trainyard", template: "%s · Trainyard" },
  description: "Training runs of the lab: queue, live curves, checkpoints.",
};

export const viewport: Viewport = {
  colorScheme: "light dark",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="topbar">
          {/* No prefetch on the global nav: every page view would make the daemon render three other pages
              while it serves this one's data (measured: e2e/compare-speed.spec.ts, docs/dashboard.md). */}
          <Link href="/" className="brand" prefetch={false}>
            <span className="brand-mark" aria-hidden="true" />
            Trainyard
          </Link>
          <nav aria-label="Main">
            <Link href="/" prefetch={false}>Runs</Link>
            <Link href="/runs/new" prefetch={false}>New run</Link>
            <Link href="/sweeps" prefetch={false}>Sweeps</Link>
            <Link href="/datasets" prefetch={false}>Datasets</Link>
            <Link href="/models" prefetch={false}>Models</Link>
            <Link href="/try" prefetch={false}>Try a model</Link>
          </nav>
        </header>
        <Providers>
          <main id="main" className="page">
            {children}
          </main>
        </Providers>
      </body>
    </html>
  );
}
