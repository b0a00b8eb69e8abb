// Tests run the bundled bin, as users do: build it once per run. The interop tests of encrypted
// packages need the age command: installed here when missing (a clean root machine), else they
// skip with the reason.
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

export default function setup() {
  execFileSync(process.execPath, [fileURLToPath(new URL("../scripts/build-bin.mjs", import.meta.url))], { stdio: "inherit" })
  execFileSync(process.execPath, [fileURLToPath(new URL("../../../scripts/ensure-age.mjs", import.meta.url))], { stdio: "inherit" })
}
