/**
 * Export's secret scan, per agent, on copies of the fixture homes with secrets planted where
 * sessions hold them (`utils/secrets.ts`): the report and the manifest name kind, count and
 * record, never the secret; `--redact` leaves no secret in the package, only placeholders
 * computed here from the planted values, every other line byte for byte, every line valid JSON,
 * signed thinking untouched (and reported kept), and the package installs; `--fail-on-secrets`
 * writes nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import { openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Fixtures as OpencodeFixtures } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { type AgentHomes, copyAgentHomes } from "./utils/agentHomes.js"
import { errorLines, sessionTransfer } from "./utils/cli.js"
import { filesHolding, placeholder, type Planted, plantClaude, plantCodex, plantOpencode } from "./utils/secrets.js"

afterAll(removeTemps)

const run = (homes: AgentHomes, args: ReadonlyArray<string>) => sessionTransfer([...args, ...homes.options], { env: homes.env })

const lines = (file: string): Array<string> => fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "")

const manifestOf = (pkg: string) => JSON.parse(fs.readFileSync(path.join(pkg, "package_manifest.json"), "utf8"))

/** The line a redaction makes of `line`: each secret replaced in the value holding it, the record written again. */
const redacted = (line: string, planted: ReadonlyArray<Planted>): string =>
  JSON.stringify(JSON.parse(planted.reduce((text, p) => text.split(p.secret).join(placeholder(p.kind, p.secret)), line)))

/** An agent's case: its planting, the secrets redaction replaces, those it must keep. */
interface Case {
  readonly agent: "codex" | "claude" | "opencode"
  readonly plant: (homes: AgentHomes) => { readonly redactable: ReadonlyArray<Planted>; readonly kept: ReadonlyArray<Planted> }
  /** how the report names the transcript */
  readonly label: string
}

const CASES: ReadonlyArray<Case> = [
  { agent: "codex", label: "rollout", plant: (homes) => ({ redactable: [plantCodex(homes)], kept: [] }) },
  {
    agent: "claude",
    label: "transcript.jsonl",
    plant: (homes) => {
      const { prompt, thinking } = plantClaude(homes)
      return { redactable: [prompt], kept: [thinking] }
    }
  },
  { agent: "opencode", label: "transcript.jsonl", plant: (homes) => ({ redactable: [plantOpencode(homes)], kept: [] }) }
]

/** The record of the planted secret: as planted, or (OpenCode, rendered at export) the line of the unredacted transcript holding it. */
const recordOf = (planted: Planted, pkg: string): number =>
  planted.record ?? lines(path.join(pkg, planted.entry)).findIndex((l) => l.includes(planted.secret)) + 1

/** The package's finding of the planted secret's kind in its transcript. */
const findingOf = (secrets: { findings: ReadonlyArray<Record<string, unknown>> }, planted: Planted) =>
  secrets.findings.find((f) => f.file === planted.entry && f.kind === planted.kind)

describe("export: secrets of every agent, found and reported", () => {
  for (const c of CASES) {
    it.effect(`${c.agent}: the report and the manifest name kind, count and record, never the secret`, () =>
      Effect.gen(function*() {
        const homes = copyAgentHomes()
        const { kept, redactable } = c.plant(homes)
        const planted = [...redactable, ...kept]
        const dir = tempDir("secrets-pkg")
        const pkg = path.join(dir, "plain")
        const text = yield* run(homes, ["export", "--agent", c.agent, "--all", "--out", pkg])
        assert.strictEqual(text.code, 0, text.stderr)
        for (const p of planted) {
          assert.notInclude(text.stdout + text.stderr, p.secret)
          // a prefix of it neither (a title cut to its column)
          assert.notInclude(text.stdout + text.stderr, p.secret.slice(0, 16))
          assert.include(text.stdout, `  ! ${c.agent} ${p.session}  ${c.label}: `)
          assert.include(text.stdout, `${p.kind} ×1 (record ${recordOf(p, pkg)})`)
        }
        assert.match(text.stdout, /\nsecrets: \d+ found in 1 of \d+ session\(s\)/)
        assert.include(text.stdout, "--redact replaces them")
        // the package carries them as they are
        for (const p of planted) assert.include(filesHolding(pkg, p.secret), p.entry)

        const manifest = manifestOf(pkg)
        assert.isString(manifest.secrets.rules)
        assert.match(manifest.secrets.rules, /^secretlint 12\.0\.0/)
        assert.isFalse(manifest.secrets.redacted)
        for (const p of planted) {
          assert.deepStrictEqual(findingOf(manifest.secrets, p), {
            agent: c.agent,
            session: p.session,
            file: p.entry,
            kind: p.kind,
            count: 1,
            records: [recordOf(p, pkg)],
            redacted: 0,
            kept: kept.includes(p) ? 1 : 0,
            ...(kept.includes(p) ? { kept_in: ["signed thinking"] } : {})
          })
        }
        assert.notInclude(JSON.stringify(manifest), planted[0]!.secret)

        // --json carries what the manifest says
        const json = yield* run(homes, ["export", "--agent", c.agent, "--all", "--out", path.join(dir, "json"), "--json"])
        assert.strictEqual(json.code, 0, json.stderr)
        for (const p of planted) assert.notInclude(json.stdout + json.stderr, p.secret)
        const result = JSON.parse(json.stdout)
        assert.deepStrictEqual(result.secrets, manifestOf(path.join(dir, "json")).secrets)
        assert.deepStrictEqual(result.secrets.findings, manifest.secrets.findings)
      }), 120_000)

    it.effect(`${c.agent}: --redact leaves placeholders only where the secrets were; the package installs`, () =>
      Effect.gen(function*() {
        const homes = copyAgentHomes()
        const { kept, redactable } = c.plant(homes)
        const dir = tempDir("secrets-redact")
        // the transcript as exported unredacted: OpenCode's is rendered at export
        const plain = path.join(dir, "plain")
        assert.strictEqual((yield* run(homes, ["export", "--agent", c.agent, "--all", "--out", plain])).code, 0)
        const pkg = path.join(dir, "redacted")
        const exported = yield* run(homes, ["export", "--agent", c.agent, "--all", "--out", pkg, "--redact", "--json"])
        assert.strictEqual(exported.code, 0, exported.stderr)

        for (const p of redactable) {
          assert.deepStrictEqual(filesHolding(pkg, p.secret), [], `${p.kind} is nowhere in the package`)
          assert.notInclude(exported.stdout + exported.stderr, p.secret)
        }
        for (const p of kept) assert.deepStrictEqual(filesHolding(pkg, p.secret), [p.entry], `${p.kind} stays in signed thinking only`)
        const source = lines(path.join(plain, redactable[0]!.entry))
        const out = lines(path.join(pkg, redactable[0]!.entry))
        assert.strictEqual(out.length, source.length)
        let changed = 0
        for (const [i, line] of source.entries()) {
          assert.doesNotThrow(() => JSON.parse(out[i]!), `line ${i + 1} is JSON`)
          if (redactable.some((p) => line.includes(p.secret))) {
            changed++
            assert.strictEqual(out[i], redacted(line, redactable), `line ${i + 1}`)
            for (const p of redactable) if (line.includes(p.secret)) assert.include(out[i], placeholder(p.kind, p.secret))
          } else {
            assert.strictEqual(out[i], line, `line ${i + 1} goes in byte for byte`)
          }
        }
        assert.strictEqual(changed, redactable.length)
        const manifest = manifestOf(pkg)
        assert.isTrue(manifest.secrets.redacted)
        for (const p of redactable) assert.deepInclude(findingOf(manifest.secrets, p), { count: 1, redacted: 1, kept: 0 })
        for (const p of kept) assert.deepInclude(findingOf(manifest.secrets, p), { count: 1, redacted: 0, kept: 1, kept_in: ["signed thinking"] })
        // the summary says what became of them
        assert.deepStrictEqual(JSON.parse(exported.stdout).secrets, manifest.secrets)

        // installs into a machine that never had the sessions
        const target = tempDir(`secrets-install-${c.agent}`)
        const home = path.join(target, c.agent)
        const homeOption = c.agent === "codex" ? "--codex-home" : c.agent === "claude" ? "--claude-home" : "--opencode-data"
        if (c.agent === "opencode") OpencodeFixtures.emptyData(home)
        else fs.mkdirSync(home, { recursive: true })
        const installed = yield* sessionTransfer(["install", pkg, homeOption, home, "--json"], { env: { HOME: target } })
        assert.strictEqual(installed.code, 0, installed.stderr)
        const placeholders = redactable.map((p) => placeholder(p.kind, p.secret))
        if (c.agent === "opencode") {
          const db = openDatabase(path.join(home, "opencode.db"), { readonly: true })
          try {
            const texts = db.prepare("SELECT data FROM part").all().map((r) => String((r as { data: string }).data)).join("\n")
            for (const p of redactable) assert.notInclude(texts, p.secret)
            for (const ph of placeholders) assert.include(texts, ph)
          } finally {
            db.close()
          }
        } else {
          const session = JSON.parse(installed.stdout).sessions.find((s: { source_id: string }) => s.source_id === redactable[0]!.session)
          const file = fs.readFileSync(session.rollout ?? session.path, "utf8")
          for (const p of redactable) assert.notInclude(file, p.secret)
          for (const ph of placeholders) assert.include(file, ph)
        }
      }), 180_000)
  }

  it.effect("claude: a signed thinking block holding a secret goes in byte for byte, and is reported kept", () =>
    Effect.gen(function*() {
      const homes = copyAgentHomes()
      const { prompt, thinking } = plantClaude(homes)
      const pkg = path.join(tempDir("secrets-signed"), "redacted")
      const exported = yield* run(homes, ["export", "--agent", "claude", "--thread", thinking.session, "--out", pkg, "--redact"])
      assert.strictEqual(exported.code, 0, exported.stderr)
      const source = lines(thinking.file!)
      const out = lines(path.join(pkg, thinking.entry))
      assert.strictEqual(out[thinking.record! - 1], source[thinking.record! - 1])
      assert.include(out[thinking.record! - 1], thinking.secret)
      assert.notInclude(out[prompt.record! - 1], prompt.secret)
      assert.include(exported.stdout, `anthropic ×1 (record ${thinking.record})`)
      assert.include(exported.stdout, "kept 1 (signed thinking)")
      assert.notInclude(exported.stdout + exported.stderr, thinking.secret)
      // inspect says so in one line
      const inspected = yield* sessionTransfer(["inspect", pkg])
      assert.strictEqual(inspected.code, 0, inspected.stderr)
      const line = inspected.stdout.split("\n").filter((l) => l.startsWith("secrets "))
      assert.lengthOf(line, 1)
      assert.match(line[0]!, /^secrets {5}redacted \d+ \(.*openai.*\); 1 kept unredacted \(signed thinking\) in 1 session\(s\)/)
      // with --fail-on-secrets, a secret that cannot be redacted refuses the export
      const refused = yield* run(homes, ["export", "--agent", "claude", "--thread", thinking.session, "--out", `${pkg}-2`, "--redact", "--fail-on-secrets"])
      assert.strictEqual(refused.code, 1, refused.stderr)
      assert.lengthOf(errorLines(refused), 1)
      assert.include(refused.stderr, "cannot be redacted (anthropic ×1)")
      assert.isFalse(fs.existsSync(`${pkg}-2`))
    }), 120_000)
})

describe("export --fail-on-secrets", () => {
  it.effect("refuses: exit 1, one line on stderr naming kinds and sessions, nothing written (a file, a folder, stdout)", () =>
    Effect.gen(function*() {
      const homes = copyAgentHomes()
      const planted = plantCodex(homes)
      const dir = tempDir("secrets-refuse")
      for (const out of [path.join(dir, "p.tgz"), path.join(dir, "folder")]) {
        const refused = yield* run(homes, ["export", "--agent", "codex", "--all", "--out", out, "--fail-on-secrets"])
        assert.strictEqual(refused.code, 1, refused.stderr)
        const stderr = errorLines(refused)
        assert.lengthOf(stderr, 1, refused.stderr)
        assert.include(stderr[0], "found 1 secret(s) (github ×1)")
        assert.include(stderr[0], `codex ${planted.session}`)
        assert.include(stderr[0], "nothing written")
        assert.notInclude(refused.stdout + refused.stderr, planted.secret)
        assert.strictEqual(refused.stdout, "")
      }
      // not even a temp file is left
      assert.deepStrictEqual(fs.readdirSync(dir), [])

      const piped = yield* run(homes, ["export", "--agent", "codex", "--all", "--out", "-", "--fail-on-secrets"])
      assert.strictEqual(piped.code, 1, piped.stderr)
      assert.strictEqual(piped.stdout.length, 0, "no byte of the archive reaches stdout")
      assert.lengthOf(errorLines(piped), 1)

      const json = yield* run(homes, ["export", "--agent", "codex", "--all", "--out", path.join(dir, "j.tgz"), "--fail-on-secrets", "--json"])
      assert.strictEqual(json.code, 1)
      const error = JSON.parse(errorLines(json)[0]!).error
      assert.strictEqual(error._tag, "SecretsFound")
      assert.deepInclude(error.secrets.findings[0], { agent: "codex", session: planted.session, kind: "github", count: 1, records: [planted.record] })
      assert.notInclude(json.stderr, planted.secret)

      const dry = yield* run(homes, ["export", "--agent", "codex", "--all", "--out", path.join(dir, "d.tgz"), "--dry-run", "--fail-on-secrets"])
      assert.strictEqual(dry.code, 1, dry.stderr)

      // everything redactable: redacted, nothing refused
      const redacted = yield* run(homes, ["export", "--agent", "codex", "--all", "--out", path.join(dir, "r.tgz"), "--redact", "--fail-on-secrets"])
      assert.strictEqual(redacted.code, 0, redacted.stderr)
      assert.isTrue(fs.existsSync(path.join(dir, "r.tgz")))
    }), 120_000)

  it.effect("the clean fixture homes: nothing found, the package written", () =>
    Effect.gen(function*() {
      const homes = copyAgentHomes()
      const out = path.join(tempDir("secrets-clean"), "all")
      const exported = yield* run(homes, ["export", "--all", "--include-archived", "--include-file-history", "--out", out, "--fail-on-secrets", "--json"])
      assert.strictEqual(exported.code, 0, exported.stderr)
      assert.deepStrictEqual(JSON.parse(exported.stdout).secrets.findings, [])
      // a clean package's manifest says nothing (the baseline manifest stays as it was)
      assert.notProperty(manifestOf(out), "secrets")
      const inspected = yield* sessionTransfer(["inspect", out])
      assert.include(inspected.stdout, "secrets     none recorded (its export found none")
    }), 120_000)
})
