// The billing page's build: served by `tally serve` under /billing/ from
// files embedded in the binary (web.go). Output names carry content
// hashes and nothing else varies between builds, so a fresh build of the
// same sources reproduces dist/ byte for byte (CI checks it).
import { defineConfig } from "vitest/config";

export default defineConfig({
  base: "/billing/",
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // No inline script: the page's Content-Security-Policy allows scripts from the server only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    target: "es2022",
  },
  server: {
    // `npm run dev` against a local `tally serve`.
    proxy: {
      "/graphql": { target: "http://localhost:8080", ws: true },
      "/billing/dev": "http://localhost:8080",
      "/invoices": "http://localhost:8080",
      "/sandbox": "http://localhost:8080",
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
