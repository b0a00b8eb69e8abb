import * as fs from "node:fs"
import { Rewriter, PathRules } from "@sessionport/localize"
import { Fingerprinter } from "./src/Fingerprint.js"
const [mode, file] = process.argv.slice(2)
const base = process.memoryUsage().rss
const chunks = function*() { const fd = fs.openSync(file!, "r"); const b = Buffer.allocUnsafe(1 << 20); let n; while ((n = fs.readSync(fd, b, 0, b.length, null)) > 0) yield b.subarray(0, n); fs.closeSync(fd) }
let max = 0
const tick = setInterval(() => {}, 1000)
if (mode === "rewrite") {
  const rules = PathRules.make({ maps: [{ from: "/tmp/sessionport-fixture-src/projects", to: "/tmp/t7/projects" }], sourceHome: undefined, targetHome: "/root", targetPlatform: "posix" })
  const r = Rewriter.reportingChunks(chunks(), { idMap: new Map(), pathRules: rules })
  let out = 0
  for (const c of r.chunks) { out += c.length; max = Math.max(max, process.memoryUsage().rss) }
  console.log("out", out)
} else {
  const p = new Fingerprinter()
  for (const c of chunks()) { p.push(c); max = Math.max(max, process.memoryUsage().rss) }
  p.end()
}
clearInterval(tick)
console.log(mode, "base", (base / 1e6).toFixed(0), "max sampled", (max / 1e6).toFixed(0))
