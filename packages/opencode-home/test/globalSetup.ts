// Tests run the bundled session-transfer bin, as users do: build it once per run.
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

export default function setup() {
  execFileSync(process.execPath, [fileURLToPath(new URL("../../transfer-cli/scripts/build-bin.mjs", import.meta.url))], { stdio: "inherit" })
}
