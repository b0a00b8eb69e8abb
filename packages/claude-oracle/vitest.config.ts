import { defineProject, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.ts"

// Named so `vitest run --project claude-oracle` works from the root.
export default mergeConfig(shared, defineProject({ test: { name: "claude-oracle" } }))
