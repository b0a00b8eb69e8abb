// Codex goes on with a session while session-sync fast-forwards it: another process appends whole
// lines every 2 ms from the moment the sync's journal folder appears. The sync must never splice
// its records between Codex's lines: either it appended onto exactly what it classified (and
// Codex's lines follow), or it stopped with one line and left the session as Codex wrote it.
import { assert, describe, it } from "@effect/vitest"
import { fixtureByRole, removeTemps } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { errorLines, sessionSync } from "./utils/cli.js"
import { codexMachine, exportPackage, fixtureRecords, fixtureRollout, idOf, recordLines, sourceHome, threadRow, truncateRollout } from "./utils/scenarios.js"

afterAll(removeTemps)

/** A writer in another process: once a transaction folder appears in `journal`, appends a line every 2 ms. */
const startWriter = (journal: string, file: string) => {
  const script = `
    const fs = require("node:fs")
    const [journal, file] = process.argv.slice(1)
    let n = 0
    const txs = () => { try { return fs.readdirSync(journal).filter((f) => /^[0-9a-f-]{36}$/.test(f)) } catch { return [] } }
    const wait = setInterval(() => {
      if (txs().length === 0) return
      clearInterval(wait)
      setInterval(() => fs.appendFileSync(file, JSON.stringify({ type: "codex_meanwhile", n: n++ }) + "\\n"), 2)
    }, 1)
  `
  return spawn(process.execPath, ["-e", script, journal, file], { stdio: "ignore" })
}

describe("sync while Codex appends to the session", () => {
  it.effect("never splices: prefix + incoming + Codex's lines, or a refusal with prefix + Codex's lines only", () =>
    Effect.gen(function*() {
      const named = idOf("named")
      const k = Math.floor(fixtureRecords("named") / 2)
      const incoming = recordLines(fixtureRollout("named")).slice(k)
      const pkg = yield* exportPackage(sourceHome({ bumpRows: ["named"] }), ["named"])
      let refused = 0
      for (let run = 0; run < 3; run++) {
        // B holds Codex's own, older copy of `named` (no --map: its own paths)
        const m = codexMachine("fixture")
        const file = path.join(m.home, fixtureByRole("named").rollout)
        truncateRollout(file, k)
        const prefix = recordLines(file)
        const rowBefore = threadRow(m.home, named)
        const writer = startWriter(path.join(m.home, "sessionport", "journal"), file)
        const result = yield* sessionSync(["sync", pkg, "--codex-home", m.home, "--yes"]).pipe(
          Effect.ensuring(Effect.sync(() => writer.kill("SIGKILL")))
        )
        const lines = recordLines(file)
        assert.deepStrictEqual(lines.slice(0, k), prefix, "the prefix is untouched")
        const after = lines.slice(k)
        const ours = (line: string) => !line.includes("codex_meanwhile")
        if (result.code === 0) {
          // onto exactly what was classified: the incoming records first, then Codex's
          assert.deepStrictEqual(after.slice(0, incoming.length), incoming, `run ${run}: appended right after the prefix`)
          assert.isTrue(after.slice(incoming.length).every((line) => !ours(line)), `run ${run}: only Codex's lines after`)
        } else {
          refused++
          assert.strictEqual(result.code, 1, result.stderr)
          assert.strictEqual(errorLines(result).length, 1, result.stderr)
          assert.include(result.stderr, "changed while sessionport was working on it")
          assert.include(result.stderr, "nothing was changed")
          assert.isTrue(after.every((line) => !ours(line)), `run ${run}: none of the incoming records`)
          assert.deepStrictEqual(threadRow(m.home, named), rowBefore, `run ${run}: the thread row as it was`)
        }
        fs.rmSync(m.root, { recursive: true, force: true })
      }
      // the writer starts as the transaction does: the append, steps later, meets its lines
      assert.isAtLeast(refused, 1, "the race was met at least once")
    }), 120_000)
})
