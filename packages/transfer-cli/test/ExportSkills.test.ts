import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, fixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import * as Samples from "@sessionport/codex-oracle/SecretSamples"
import { PackageReader } from "@sessionport/package-format"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { errorLines, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const thread = Object.values(fixtures.sessions).find((s) => !s.archived)!.threadId

/** The issue-11 skill files planted into a copy of the fixture home. */
const homeWithSkills = () => {
  const home = copyFixtureHome()
  for (const file of Samples.plantedSkillFiles) {
    const target = path.join(home, "skills", ...file.path.split("/"))
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.writeFileSync(target, file.content)
  }
  return home
}

const entry = (file: Samples.PlantedFile) => `skills/${file.path}`
const byPath = <A extends { readonly path: string }>(files: ReadonlyArray<A>) => [...files].sort((a, b) => a.path < b.path ? -1 : 1)
const credentials = Samples.plantedSkillFiles.filter((file) => file.rule !== undefined)
const innocent = Samples.plantedSkillFiles.filter((file) => file.rule === undefined)
const flagged = (files: ReadonlyArray<Samples.PlantedFile>) => byPath(files.map((file) => ({ path: entry(file), reason: file.rule! })))
const secrets = [Samples.npmToken, Samples.pypiToken, Samples.githubToken, Samples.githubPat, Samples.openaiKey, "c0ffee-5ecret-4a7b9e21"]

const exportSkills = (home: string, out: string, ...more: ReadonlyArray<string>) =>
  sessionTransfer(["export", "--thread", thread, "--include-skills", "--codex-home", home, "--out", out, ...more])

describe("session-transfer export --include-skills", () => {
  it.effect("the issue's 20 files: the 12 credentials are left out, by name or content, with their rule; the 8 others travel", () =>
    Effect.gen(function*() {
      const home = homeWithSkills()
      const dir = tempDir("out")
      const out = path.join(dir, "pkg.tgz")
      const exported = yield* exportSkills(home, out, "--json")
      assert.strictEqual(exported.code, 0, exported.stderr)
      const result = JSON.parse(exported.stdout)
      assert.strictEqual(credentials.length, 12)
      assert.strictEqual(innocent.length, 8)
      assert.deepStrictEqual(result.excluded_files, flagged(credentials))
      assert.deepStrictEqual(result.allowed_files, [])
      assert.deepStrictEqual(result.skills, ["deploy", "notes"])

      const verified = yield* PackageReader.verify(out)
      assert.deepStrictEqual(
        verified.files.map((f) => f.path).filter((p) => p.startsWith("skills/")),
        innocent.map(entry).sort()
      )
      assert.deepStrictEqual(verified.manifest.excluded_files, flagged(credentials))
      assert.deepStrictEqual(verified.manifest.allowed_files, [])
      // the rule is named, never what it matched
      const manifest = verified.metadata.get("package_manifest.json")!
      for (const secret of secrets) {
        assert.notInclude(exported.stdout, secret)
        assert.notInclude(manifest, secret)
      }

      const human = yield* exportSkills(home, path.join(dir, "human.tgz"))
      assert.strictEqual(human.code, 0, human.stderr)
      const lines = human.stdout.split("\n")
      const heading = lines.indexOf(
        "left out 12 skill file(s) that look like credentials (the manifest's excluded_files lists them); --allow-file PATH carries one:"
      )
      assert.isAtLeast(heading, 0, human.stdout)
      assert.deepStrictEqual(lines.slice(heading + 1, heading + 13), flagged(credentials).map((f) => `  ${f.path}  (${f.reason})`))

      const dry = yield* exportSkills(home, path.join(dir, "dry.tgz"), "--dry-run")
      assert.strictEqual(dry.code, 0, dry.stderr)
      assert.include(dry.stdout, "would leave out 12 skill file(s) that look like credentials; --allow-file PATH carries one:")
      assert.isFalse(fs.existsSync(path.join(dir, "dry.tgz")))
    }))

  it.effect("--allow-file carries a file that looks like a credential, named as listed or by absolute path; readers accept it", () =>
    Effect.gen(function*() {
      const home = homeWithSkills()
      const out = path.join(tempDir("out"), "pkg.tgz")
      const exported = yield* exportSkills(
        home,
        out,
        "--allow-file",
        "skills/deploy/config.toml",
        "--allow-file",
        path.join(home, "skills", "deploy", ".npmrc"),
        "--json"
      )
      assert.strictEqual(exported.code, 0, exported.stderr)
      const result = JSON.parse(exported.stdout)
      const allowed = credentials.filter((file) => file.path === "deploy/config.toml" || file.path === "deploy/.npmrc")
      assert.deepStrictEqual(result.allowed_files, flagged(allowed))
      assert.deepStrictEqual(result.excluded_files, flagged(credentials.filter((file) => !allowed.includes(file))))

      const inspected = yield* sessionTransfer(["inspect", out, "--json"])
      assert.strictEqual(inspected.code, 0, inspected.stderr)
      assert.deepStrictEqual(JSON.parse(inspected.stdout).manifest.allowed_files, flagged(allowed))
      const shown = yield* sessionTransfer(["inspect", out])
      assert.strictEqual(shown.code, 0, shown.stderr)
      for (const file of flagged(allowed)) {
        assert.include(shown.stdout, `allowed     ${file.path} (${file.reason}), although it looks like a credential`)
      }
      const verified = yield* PackageReader.verify(out)
      assert.includeMembers(verified.files.map((f) => f.path), ["skills/deploy/config.toml", "skills/deploy/.npmrc"])

      const human = yield* exportSkills(home, path.join(tempDir("out"), "h.tgz"), "--allow-file", "skills/deploy/config.toml")
      assert.strictEqual(human.code, 0, human.stderr)
      assert.include(human.stdout, "carried, allowed although it looks like a credential: skills/deploy/config.toml  (secret-assignment)")
      assert.include(human.stdout, "left out 11 skill file(s)")
    }))

  it.effect("--allow-file: without --include-skills exit 2; naming no skill file exit 1; nothing written", () =>
    Effect.gen(function*() {
      const home = homeWithSkills()
      const dir = tempDir("out")
      const usage = yield* sessionTransfer([
        "export", "--thread", thread, "--allow-file", "skills/deploy/.npmrc", "--codex-home", home, "--out", path.join(dir, "a.tgz")
      ])
      assert.strictEqual(usage.code, 2, usage.stderr)
      assert.deepStrictEqual(errorLines(usage), ["session-transfer: --allow-file names a skill file: it needs --include-skills"])

      for (const named of ["skills/deploy/nope.txt", "deploy/.npmrc", path.join(home, "auth.json")]) {
        const refused = yield* exportSkills(home, path.join(dir, "b.tgz"), "--allow-file", named)
        assert.strictEqual(refused.code, 1, refused.stderr)
        assert.deepStrictEqual(errorLines(refused), [
          `session-transfer: --allow-file ${named}: not a file of the skills in ${path.join(home, "skills")}`
        ])
      }
      assert.deepStrictEqual(fs.readdirSync(dir), [])
    }))
})
