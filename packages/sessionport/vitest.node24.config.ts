import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"
import shared from "../../vitest.shared.ts"
import { NODE_24, node24Work, prefixIn, registryNodePaths } from "./test/utils/packed.ts"

// The CLI end-to-end tests on Node 24 (`pnpm test:node24`, part of `npm test`): a few files of
// transfer-cli and sync-cli whose bins come from the packed sessionport installed with the
// registry's Node 24 (test/node24Setup.ts) and run with that Node (SESSIONPORT_TEST_PREFIX and
// SESSIONPORT_TEST_NODE: codex-oracle's binUnderTest). The tests themselves run in this Node.
export default defineConfig({
  test: {
    ...shared.test,
    name: "cli-node24",
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: [
      "packages/sessionport/test/node24/*.test.ts",
      "packages/transfer-cli/test/InstallMixed.test.ts",
      "packages/transfer-cli/test/Validate.test.ts",
      "packages/sync-cli/test/OldPackage.test.ts",
      "packages/sync-cli/test/SyncScenarios.test.ts"
    ],
    globalSetup: [fileURLToPath(new URL("./test/node24Setup.ts", import.meta.url))],
    env: {
      SESSIONPORT_TEST_PREFIX: prefixIn(node24Work),
      SESSIONPORT_TEST_NODE: registryNodePaths(NODE_24).bin
    }
  }
})
