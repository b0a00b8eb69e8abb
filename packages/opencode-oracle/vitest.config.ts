import { defineProject, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.ts"

// Named so `vitest run --project opencode-oracle` works from the root.
export default mergeConfig(shared, defineProject({ test: { name: "opencode-oracle" } }))
