import * as fs from "node:fs"
import { PathRules, Rewriter } from "./src/index.js"
const rules = PathRules.make({ maps: [{ from: "/tmp/sessionport-fixture-src/projects", to: "/tmp/t7/projects" }], sourceHome: "/tmp/sessionport-fixture-src/home", targetHome: "/root", targetPlatform: "posix" })
const file = process.argv[2]!
const chunks = function*() { const fd = fs.openSync(file, "r"); const b = Buffer.allocUnsafe(1 << 20); let n; while ((n = fs.readSync(fd, b, 0, b.length, null)) > 0) yield b.subarray(0, n); fs.closeSync(fd) }
const text = fs.readFileSync(file, "latin1"); const line = text.split("\n")[19]!
for (const n of rules.jsonNeedles) { const i = line.indexOf(n); if (i !== -1) console.log("needle", JSON.stringify(n), i, JSON.stringify(line.slice(i - 20, i + 20))) }
try { let out = 0; for (const c of Rewriter.reportingChunks(chunks(), { idMap: new Map([["01a1fd65-3b6f-78b0-9d50-5e39e0dd417f", "x"]]), pathRules: rules }).chunks) out += c.length; console.log("ok", out) } catch (e) { console.log(String(e)) }
