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
          <Link href="/" className="brand">
            <span className="brand-mark" aria-hidden="true" />
            Trainyard
          </Link>
          <nav aria-label="Main">
            <Link href="/">Runs</Link>
            <Link href="/runs/new">New run</Link>
            <Link href="/datasets">Datasets</Link>
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
