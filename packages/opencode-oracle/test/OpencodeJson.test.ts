/**
 * `session-transfer export --format opencode-json` judged by the real OpenCode 1.18.33 (offline,
 * against the scripted server on loopback):
 *
 * 1. machine A (a copy of the fixture data, and alpha: a clone of the fixtures' git repository):
 *    a 2-turn session made now; ours of it and of both fixture sessions are byte for byte what
 *    `opencode export` prints;
 * 2. machine B (fresh, alpha elsewhere): `opencode import` of ours lists it, exports it back as
 *    ours but for the project and folder it re-homes it to, and `run --session` sends both turns;
 * 3. machine B2 (fresh): `session-transfer install` of the real `opencode export` file gives a new
 *    id, which OpenCode lists and resumes with no source path in the request (our localization).
 *
 * Slow (real runs: about 15 s each here, more on a busy machine).
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { binUnderTest, runBin } from "@sessionport/codex-oracle/Cli"
import { ChatServer, Fixtures, Harness } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { beforeAll } from "vitest"

const repoBin = fileURLToPath(new URL("../../transfer-cli/bin/session-transfer.mjs", import.meta.url))
const { bin, node } = binUnderTest("session-transfer", repoBin)
const sessionTransfer = (args: ReadonlyArray<string>) => runBin(bin, args, { node })

// the bundled bin, as users run it (the transfer-cli tests build it in their global setup)
beforeAll(() => {
  if (bin !== repoBin) return
  execFileSync(process.execPath, [fileURLToPath(new URL("../../transfer-cli/scripts/build-bin.mjs", import.meta.url))], { stdio: "inherit" })
}, 300_000)

type Json = Record<string, any>

/** Every text of a request the server recorded, as sent. */
const bodyText = (request: ChatServer.RecordedRequest) => JSON.stringify(request.body)

describe.skipIf(!Fixtures.available)("opencode-json and the real OpenCode 1.18.33", () => {
  it.scoped("ours is what opencode export prints; opencode import reads it; our install reads theirs", () =>
    Effect.gen(function*() {
      // 1. machine A
      const a = yield* Harness.machine({ fixtureData: true, projects: ["alpha"] })
      const alphaA = fs.realpathSync(a.projects[0]!)
      const first = yield* a.cli.run("turn one: use-tool")
      const sid = first.sessionId
      yield* a.cli.run("turn two: write-file", { session: sid })
      const work = path.join(a.root, "exports")
      fs.mkdirSync(work)
      const ids = [sid, Fixtures.byRole("tools").sessionId, Fixtures.byRole("beta_plain").sessionId]
      // theirs first: whatever OpenCode does to its database when it opens it, ours reads after
      const real = new Map<string, string>()
      for (const id of ids) {
        const result = yield* a.cli.exec(["export", id])
        assert.strictEqual(result.exitCode, 0, result.stderr)
        real.set(id, result.stdout)
        fs.writeFileSync(path.join(work, `real-${id}.json`), result.stdout)
      }
      const ours = path.join(work, "ours")
      fs.mkdirSync(ours)
      const exported = yield* sessionTransfer([
        "export", "--agent", "opencode", "--format", "opencode-json", "--opencode-data", a.dataDir, "--all", "--out", ours
      ])
      assert.strictEqual(exported.code, 0, exported.stderr)
      for (const id of ids) {
        const text = fs.readFileSync(path.join(ours, `${id}.json`), "utf8")
        assert.deepStrictEqual(JSON.parse(text), JSON.parse(real.get(id)!), id)
        assert.strictEqual(text, real.get(id), `${id}: byte for byte`)
      }
      const oursFile = path.join(ours, `${sid}.json`)
      const realFile = path.join(work, `real-${sid}.json`)

      // 2. machine B: opencode import of ours, from a clone of alpha at another path
      const b = yield* Harness.machine({ projects: ["alpha"] })
      const alphaB = fs.realpathSync(b.projects[0]!)
      const imported = yield* b.cli.exec(["import", oursFile], { cwd: alphaB })
      assert.strictEqual(imported.exitCode, 0, imported.stderr)
      assert.include(imported.stdout, `Imported session: ${sid}`)
      const listedB = yield* b.cli.sessionList({ cwd: alphaB })
      assert.include(listedB.map((s) => s.id), sid)
      const back = (yield* b.cli.export(sid, { cwd: alphaB })) as Json
      const original = JSON.parse(fs.readFileSync(oursFile, "utf8")) as Json
      // import re-homes the session to the importing folder's project; nothing else changes
      assert.deepStrictEqual({ ...back, info: { ...back.info, projectID: 0, directory: 0, path: 0 } }, {
        ...original,
        info: { ...original.info, projectID: 0, directory: 0, path: 0 }
      })
      assert.strictEqual(back.info.directory, alphaB)
      yield* b.cli.run("marker-import", { session: sid, cwd: alphaB })
      const requestsB = yield* b.server.chatRequests
      const resumedB = bodyText(requestsB.at(-1)!)
      assert.include(resumedB, "marker-import")
      assert.include(resumedB, "turn one: use-tool")
      assert.include(resumedB, "turn two: write-file")

      // 3. machine B2: our install of the real export file
      const b2 = yield* Harness.machine({ projects: ["alpha"], initDatabase: true })
      const alphaB2 = fs.realpathSync(b2.projects[0]!)
      const installed = yield* sessionTransfer([
        "install", realFile, "--yes", "--json", "--opencode-data", b2.dataDir, "--map", `${alphaA}=${alphaB2}`
      ])
      assert.strictEqual(installed.code, 0, installed.stderr)
      const result = JSON.parse(installed.stdout) as Json
      assert.strictEqual(result.package, realFile)
      assert.strictEqual(result.origin.format, "opencode-json")
      const localId = result.sessions[0].local_id as string
      assert.strictEqual(result.sessions[0].source_id, sid)
      assert.notStrictEqual(localId, sid)
      const listedB2 = yield* b2.cli.sessionList({ cwd: alphaB2 })
      assert.deepStrictEqual(listedB2.filter((s) => s.id === localId).map((s) => s.directory), [alphaB2])
      yield* b2.cli.run("marker-install", { session: localId, cwd: alphaB2 })
      const requestsB2 = yield* b2.server.chatRequests
      const resumedB2 = bodyText(requestsB2.at(-1)!)
      assert.include(resumedB2, "marker-install")
      assert.include(resumedB2, "turn one: use-tool")
      assert.include(resumedB2, "turn two: write-file")
      assert.notInclude(resumedB2, alphaA, "the source folder is localized away")
      assert.include(resumedB2, alphaB2)
    }).pipe(Effect.provide(NodeContext.layer)), { timeout: 900_000 })
})
