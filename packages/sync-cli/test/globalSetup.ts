// Tests run the bundled bins, as users do (session-sync, and session-transfer for first
// installs): build them once per run. The exchange tests over a real sync engine need
// syncthing: installed here when missing (a clean root machine), else they skip with the reason.
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

export default function setup() {
  for (const script of ["../scripts/build-bin.mjs", "../../transfer-cli/scripts/build-bin.mjs"]) {
    execFileSync(process.execPath, [fileURLToPath(new URL(script, import.meta.url))], { stdio: "inherit" })
  }
  execFileSync(process.execPath, [fileURLToPath(new URL("../../../scripts/ensure-syncthing.mjs", import.meta.url))], { stdio: "inherit" })
}
