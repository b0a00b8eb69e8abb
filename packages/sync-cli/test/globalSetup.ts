// Tests run the bundled bins, as users do (session-sync, and session-transfer for first
// installs): build them once per run.
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

export default function setup() {
  for (const script of ["../scripts/build-bin.mjs", "../../transfer-cli/scripts/build-bin.mjs"]) {
    execFileSync(process.execPath, [fileURLToPath(new URL(script, import.meta.url))], { stdio: "inherit" })
  }
}
