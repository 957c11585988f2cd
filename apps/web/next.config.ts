import type { NextConfig } from "next";

// Served by the daemon as a custom server on one origin: tRPC lives at /api/trpc, downloads under
// /api/runs/..., so this app defines no API routes of its own and uses relative URLs only.
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // shared TypeScript source: the config schema (the form validates fields with it before submit) and the
  // protocol's task declarations (which charts and models each task has)
  transpilePackages: ["@trainyard/config", "@trainyard/protocol"],
  // The daemon sources are only type-imported (AppRouter); nothing of them is bundled.
  typescript: { tsconfigPath: "tsconfig.json" },
};

export default nextConfig;
