import { defineConfig } from "vitest/config"

// Shared by every package's vitest.config.ts: tests live in test/, mirror src/ modules.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: [new URL("./vitest.setup.ts", import.meta.url).pathname],
    testTimeout: 30_000,
    hookTimeout: 60_000
  }
})
