import { defineProject, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.ts"

// Named so `vitest run --project codex-oracle` works from the root.
export default mergeConfig(shared, defineProject({ test: { name: "codex-oracle" } }))
