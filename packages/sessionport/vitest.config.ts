import { configDefaults, defineProject, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.ts"

// test/node24/ runs only in vitest.node24.config.ts, which sets what it checks
export default mergeConfig(shared, defineProject({ test: { name: "sessionport", exclude: [...configDefaults.exclude, "test/node24/**"] } }))
