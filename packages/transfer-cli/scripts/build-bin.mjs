// Bundles src/bin.ts into dist/session-transfer.mjs (see cli-kit's bundle).
import { fileURLToPath } from "node:url"
import { bundle } from "../../cli-kit/scripts/bundle.mjs"

await bundle(fileURLToPath(new URL("..", import.meta.url)), "session-transfer")
