// globalSetup of the CLI tests on Node 24 (vitest.node24.config.ts): sessionport packed and
// installed with the registry's Node 24, afresh each run (the bundles follow the sources), where
// the config's SESSIONPORT_TEST_PREFIX points.
import * as fs from "node:fs"
import { install, NODE_24, node24Work, pack, registryNode } from "./utils/packed.js"

export default async function setup() {
  fs.rmSync(node24Work, { recursive: true, force: true })
  fs.mkdirSync(node24Work, { recursive: true })
  await install(await pack(node24Work), node24Work, await registryNode(NODE_24))
}
