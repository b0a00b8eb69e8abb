import { assert, describe, it } from "@effect/vitest"
import { cases, folderWith } from "@sessionport/codex-oracle/HostilePackages"
import { entriesOf, baseFiles, snapshot, withTmp, writeTgz } from "@sessionport/codex-oracle/PackageBuilders"
import { PackageError, PackageReader } from "@sessionport/package-format"
import { Effect } from "effect"
import * as Path from "node:path"
import * as fs from "node:fs"

describe("hostile packages", () => {
  it("has at least 24 cases", () => {
    assert.isAtLeast(cases.length, 24)
  })

  for (const c of cases) {
    it.effect(`${c.name} → ${c.reason}`, () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const pkg = yield* Effect.promise(() => c.build(dir))
          const out = Path.join(dir, "out")
          fs.mkdirSync(out)
          const dest = Path.join(out, "unpacked")
          const before = snapshot(dir)
          const error = yield* PackageReader.verify(pkg, c.limits === undefined ? {} : { limits: c.limits }).pipe(
            Effect.flatMap((verified) => PackageReader.extract(verified, dest)),
            Effect.flip
          )
          assert.instanceOf(error, PackageError.PackageError)
          assert.strictEqual(error.reason, c.reason, error.message)
          if (c.entry !== undefined) assert.strictEqual(error.entry, c.entry, error.message)
          assert.notInclude(error.detail, "\n")
          if (process.env.SHOW_ERRORS) console.log(`${c.name}: [${error.reason}] ${error.message}`)
          assert.deepStrictEqual(snapshot(dir), before, "nothing was written")
          assert.isFalse(fs.existsSync(dest))
        })
      ))
  }

  it.effect("the valid base package passes (so each case fails for its own reason)", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const verified = yield* PackageReader.verify(yield* Effect.promise(() => writeTgz(dir, entriesOf(baseFiles()))))
        assert.strictEqual(verified.checksums, "verified")
        const folder = yield* PackageReader.verify(yield* Effect.promise(() => folderWith(() => undefined)(dir)))
        assert.strictEqual(folder.checksums, "verified")
      })
    ))
})
