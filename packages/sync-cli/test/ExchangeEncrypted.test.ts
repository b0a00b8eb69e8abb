/**
 * The exchange folder encrypted and scanned (`session-sync push --encrypt-to / --passphrase /
 * --redact / --fail-on-secrets`, `pull --identity`), over a plain folder with two machines of their
 * own homes and configs: A (the fixture sessions of every agent) and B (empty homes).
 *
 * - A pushes encrypted to B's age key and its own: every file of the folder is free of the
 *   transcripts' text (a prompt typed here, a Claude Code fixture prompt), the package is an age
 *   file (gunzip refuses it) that A's own key opens; B pulls without a key (a warning, nothing
 *   written, status says why), then with `--identity` (every session), and the identity is
 *   remembered; A's next push, without flags, is encrypted again, and B's next pull, without
 *   flags, takes it; B publishes nothing it pulled; `--no-encrypt` goes back to plain.
 * - A planted GitHub token: `--fail-on-secrets` publishes nothing (exit 1, one line); `--redact`
 *   publishes the placeholder (the package decrypted by the `age` command, where it is installed),
 *   and B's pulled session holds it, never the token.
 * - A passphrase: remembered as a mode, never as text; a later push off a terminal without one is
 *   a usage error, with `$SESSIONPORT_PASSPHRASE` it is encrypted again, and B pulls it with the
 *   variable.
 *
 * Expected values come from the fixtures, the texts typed here, and plain reads (node:fs, zlib,
 * `age -d`, `tar`), never from the code under test.
 */
import { assert, describe, it } from "@effect/vitest"
import { Fixtures as ClaudeFixtures } from "@sessionport/claude-oracle"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import * as Samples from "@sessionport/codex-oracle/SecretSamples"
import { Encryption } from "@sessionport/package-format"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { afterAll } from "vitest"
import { errorLines, sessionSync, sessionTransfer } from "./utils/cli.js"
import {
  CLAUDE_SESSION,
  decisions,
  type ExchangeMachine,
  exchangeFolder,
  fileState,
  homeState,
  indexOf,
  machine,
  machineId,
  outboxOf,
  pull,
  push,
  run,
  sessionCounts
} from "./utils/exchange.js"
import { appendLines, continuationLines, FIXTURE_IDS, idOf, localRollout, rolloutFiles, rolloutText } from "./utils/scenarios.js"

afterAll(removeTemps)

const X = idOf("multi_turn_tools")
const PROMPT = "encrypted exchange, a prompt typed on A: marker-7f3e2a"
const CLAUDE_PROMPT = ClaudeFixtures.byRole("tools").prompts[0]!
const AGE_MAGIC = "age-encryption.org/v1\n"

/** An age key pair as age-keygen makes one, its identity written to a file of the machine (mode 600). */
const keyOf = (m: ExchangeMachine) =>
  Effect.map(Encryption.generateKeyPair, (pair) => {
    const file = path.join(m.root, "key.txt")
    fs.writeFileSync(file, `# created for ${m.name}\n${pair.identity}\n`, { mode: 0o600 })
    return { file, recipient: pair.recipient }
  })

/** Every file under a folder, by its path relative to it. */
const filesUnder = (dir: string): Array<string> =>
  (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<fs.Dirent>)
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort()

/** The files under `dir` whose bytes hold `text`. */
const holding = (dir: string, text: string) => filesUnder(dir).filter((file) => fs.readFileSync(path.join(dir, file)).includes(text))

/** The machine's config file, parsed. */
const configOf = (m: ExchangeMachine) => JSON.parse(fs.readFileSync(path.join(m.config, "exchange.json"), "utf8"))

/** `warning:` lines of a command's stderr. */
const warnings = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("warning:"))

/** `session-sync status --json` on the machine. */
const status = (m: ExchangeMachine) =>
  Effect.map(sessionSync(["status", "--json", ...m.homeOptions], { env: m.env }), (result) => {
    assert.strictEqual(result.code, 0, result.stderr)
    return JSON.parse(result.stdout)
  })

/** Codex: a user message appended to a rollout of A pastes a GitHub token; its record number. */
const plantToken = (m: ExchangeMachine, id: string): number => {
  const file = localRollout(m.codex, id)
  const records = rolloutText(file).split("\n").filter((l) => l !== "").length
  const line = {
    timestamp: "2026-11-21T09:20:00.000Z",
    type: "response_item",
    payload: { type: "message", role: "user", content: [{ type: "input_text", text: `push with this token please: ${Samples.githubToken} (thanks)` }] }
  }
  fs.appendFileSync(file, JSON.stringify(line) + "\n")
  return records + 1
}

const PLACEHOLDER = `[REDACTED:github:${createHash("sha256").update(Samples.githubToken, "utf8").digest("hex").slice(0, 8)}]`

const hasAge = (() => {
  try {
    execFileSync("age", ["--version"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

/** A package decrypted by the `age` command and unpacked by `tar`: the folder. */
const unpacked = (pkg: string, key: string): string => {
  const dir = tempDir("decrypted")
  execFileSync("age", ["-d", "-i", key, "-o", path.join(dir, "p.tgz"), pkg])
  execFileSync("tar", ["-xzf", path.join(dir, "p.tgz"), "-C", dir])
  return dir
}

describe("session-sync push / pull: an encrypted exchange folder", () => {
  it.effect("A encrypts to B and itself: no transcript text in the folder; B pulls only with its key, remembered; later pushes stay encrypted", () =>
    Effect.gen(function*() {
      const dir = exchangeFolder()
      const a = machine("A", { from: "fixtures" })
      const b = machine("B")
      const aKey = yield* keyOf(a)
      const bKey = yield* keyOf(b)
      appendLines(localRollout(a.codex, X), continuationLines(localRollout(a.codex, X), PROMPT))

      // -- A publishes, encrypted to both keys
      const first = yield* push(a, ["--to", dir, "--encrypt-to", bKey.recipient, "--encrypt-to", aKey.recipient])
      assert.match(first.package!.file, /^packages\/000001-[0-9a-f]{32}\.tgz\.age$/)
      assert.strictEqual(first.encryption, "recipients")
      assert.isTrue(first.package!.encrypted)
      const outboxA = outboxOf(dir, a)
      const pkg = path.join(outboxA, first.package!.file)
      const [entry] = indexOf(outboxA).packages as ReadonlyArray<{ readonly file: string; readonly sha256: string; readonly size: number; readonly encrypted?: boolean }>
      const bytes = fs.readFileSync(pkg)
      assert.deepStrictEqual([entry!.file, entry!.sha256, entry!.size, entry!.encrypted], [
        first.package!.file,
        createHash("sha256").update(bytes).digest("hex"),
        bytes.length,
        true
      ])
      // no plaintext anywhere in the folder: not the prompt typed on A, not a Claude Code prompt; the package is not gzip
      assert.deepStrictEqual(holding(dir, PROMPT), [])
      assert.deepStrictEqual(holding(dir, CLAUDE_PROMPT), [])
      assert.strictEqual(bytes.subarray(0, AGE_MAGIC.length).toString("latin1"), AGE_MAGIC)
      assert.throws(() => zlib.gunzipSync(bytes))
      // the recipients are remembered (public keys), never a secret key
      assert.deepStrictEqual(configOf(a).encrypt_to, [bKey.recipient, aKey.recipient])
      assert.deepStrictEqual(holding(a.config, "AGE-SECRET-KEY-"), [])
      // A's own key opens it too
      const inspected = yield* sessionTransfer(["inspect", pkg, "--identity", aKey.file, "--json"])
      assert.strictEqual(inspected.code, 0, inspected.stderr)

      // -- B without a key: a warning naming the package and why, nothing written; status says it
      const before = homeState(b)
      const locked = yield* pull(b, ["--from", dir])
      assert.deepStrictEqual(locked.packages.map((p) => [p.seq, p.status, p.kind]), [[1, "skipped", "encrypted"]])
      assert.isUndefined(locked.transaction_id)
      const naming = warnings(locked.stderr).filter((line) => line.includes(path.basename(pkg)))
      assert.lengthOf(naming, 1, locked.stderr)
      assert.include(naming[0], "give --identity")
      assert.include(naming[0], "retried next pull")
      assert.deepStrictEqual(homeState(b), before)
      assert.deepStrictEqual(sessionCounts(b), { codexRollouts: 0, codexThreads: 0, claude: 0, opencode: 0 })
      const seen = (yield* status(b)).machines.find((m: { id: string }) => m.id === machineId(a))
      assert.deepStrictEqual(seen.encrypted, { packages: 1, of: 1 })
      assert.deepStrictEqual(seen.skipped.map((s: { file: string; kind: string }) => [s.file, s.kind]), [[first.package!.file, "encrypted"]])

      // -- B with its key: every session; the key file remembered by its path
      const opened = yield* pull(b, ["--identity", bKey.file])
      assert.deepStrictEqual(opened.packages.map((p) => [p.seq, p.status]), [[1, "applied"]])
      assert.deepStrictEqual(sessionCounts(b), { codexRollouts: FIXTURE_IDS.length, codexThreads: FIXTURE_IDS.length, claude: 1, opencode: 1 })
      assert.isTrue(rolloutFiles(b.codex).some((f) => rolloutText(f).includes(PROMPT)))
      assert.isTrue(decisions(opened).some((d) => d.agent === "claude" && d.source_id === CLAUDE_SESSION))
      assert.deepStrictEqual(configOf(b).identities, [bKey.file])
      assert.deepStrictEqual(holding(b.config, "AGE-SECRET-KEY-"), [])
      assert.deepStrictEqual((yield* status(b)).machines.find((m: { id: string }) => m.id === machineId(a)).skipped, [])

      // a pulled session is not published back
      const backB = yield* push(b, ["--to", dir])
      assert.isNull(backB.package)

      // -- A goes on; its next push, without flags, is encrypted to the remembered recipients; B's pull, without flags, opens it
      const more = "encrypted exchange, day two on A: marker-9c41"
      appendLines(localRollout(a.codex, X), continuationLines(localRollout(a.codex, X), more))
      const second = yield* push(a)
      assert.match(second.package!.file, /^packages\/000002-[0-9a-f]{32}\.tgz\.age$/)
      assert.deepStrictEqual(holding(dir, more), [])
      const again = yield* pull(b)
      assert.deepStrictEqual(again.packages.map((p) => [p.seq, p.status]), [[2, "applied"]])
      assert.deepStrictEqual(decisions(again).map((d) => [d.source_id, d.class]), [[X, "fast_forward_import"]])
      assert.isTrue(rolloutFiles(b.codex).some((f) => rolloutText(f).includes(more)))

      // -- --no-encrypt: plain again, and forgotten
      appendLines(localRollout(a.codex, X), continuationLines(localRollout(a.codex, X), "day three"))
      const plain = yield* push(a, ["--no-encrypt"])
      assert.match(plain.package!.file, /^packages\/000003-[0-9a-f]{32}\.tgz$/)
      assert.doesNotThrow(() => zlib.gunzipSync(fs.readFileSync(path.join(outboxA, plain.package!.file))))
      assert.isUndefined(configOf(a).encrypt_to)
    }), 300_000)

  it.effect("secrets: --fail-on-secrets publishes nothing; --redact publishes the placeholder, and B's pulled session holds it", () =>
    Effect.gen(function*() {
      const dir = exchangeFolder()
      const a = machine("A", { from: "fixtures", agents: ["codex"] })
      const b = machine("B", { agents: ["codex"] })
      const bKey = yield* keyOf(b)
      const session = idOf("beta_cwd")
      const record = plantToken(a, session)

      // refused: exit 1, one line naming the kind and session; no package, no index, no staging, no token anywhere in the folder
      const refused = yield* run(a, "push", ["--to", dir, "--encrypt-to", bKey.recipient, "--fail-on-secrets"])
      assert.strictEqual(refused.code, 1, refused.stderr)
      const stderr = errorLines(refused)
      assert.lengthOf(stderr, 1, refused.stderr)
      assert.include(stderr[0], "found 1 secret(s) (github ×1)")
      assert.include(stderr[0], `codex ${session}`)
      assert.include(stderr[0], "nothing published")
      assert.notInclude(refused.stdout + refused.stderr, Samples.githubToken)
      const outboxA = outboxOf(dir, a)
      assert.isFalse(fs.existsSync(path.join(outboxA, "outbox.json")))
      assert.isFalse(fs.existsSync(path.join(outboxA, "packages")))
      assert.isFalse(fs.existsSync(path.join(outboxA, "tmp")))
      assert.deepStrictEqual(holding(dir, Samples.githubToken), [])

      // not refused: found and reported, in the JSON (a dry run)
      const dry = yield* push(a, ["--encrypt-to", bKey.recipient, "--dry-run"])
      assert.strictEqual(dry.secrets?.redacted, false)
      assert.deepInclude(dry.secrets?.findings[0], { agent: "codex", session, kind: "github", count: 1, records: [record], redacted: 0, kept: 0 })
      assert.isFalse(fs.existsSync(path.join(outboxA, "packages")))

      // redacted: reported on stderr in export's lines; the placeholder travels, never the token; remembered with the recipient
      const redacted = yield* run(a, "push", ["--encrypt-to", bKey.recipient, "--redact"])
      assert.strictEqual(redacted.code, 0, redacted.stderr)
      assert.include(redacted.stderr, `  ! codex ${session}  rollout: github ×1 (record ${record}); redacted 1`)
      assert.match(redacted.stderr, /^secrets: 1 found in 1 of \d+ session\(s\): github ×1; redacted 1 /m)
      assert.notInclude(redacted.stdout, "secrets:")
      assert.deepStrictEqual([configOf(a).redact, configOf(a).encrypt_to], [true, [bKey.recipient]])
      assert.deepStrictEqual(holding(dir, Samples.githubToken), [])
      const [published] = indexOf(outboxA).packages
      if (hasAge) {
        // decrypted by another implementation: the placeholder is in the package, the token is not
        const plainDir = unpacked(path.join(outboxA, published!.file), bKey.file)
        assert.isAbove(holding(plainDir, PLACEHOLDER).length, 0)
        assert.deepStrictEqual(holding(plainDir, Samples.githubToken), [])
      } else {
        console.warn("ExchangeEncrypted: the age command is not installed; the package's contents are checked through B's pull only")
      }

      const pulled = yield* pull(b, ["--from", dir, "--identity", bKey.file])
      assert.deepStrictEqual(pulled.packages.map((p) => [p.seq, p.status]), [[1, "applied"]])
      const onB = rolloutFiles(b.codex).map(rolloutText)
      assert.isTrue(onB.some((text) => text.includes(PLACEHOLDER)))
      assert.isFalse(onB.some((text) => text.includes(Samples.githubToken)))
      // A's own session keeps its token: redaction is of what travels
      assert.include(rolloutText(localRollout(a.codex, session)), Samples.githubToken)
    }), 300_000)

  it.effect("a passphrase: remembered as a mode, never as text; off a terminal without one a usage error; B pulls with the variable", () =>
    Effect.gen(function*() {
      const dir = exchangeFolder()
      const a = machine("A", { from: "fixtures", agents: ["codex"] })
      const b = machine("B", { agents: ["codex"] })
      const passphrase = "correct horse battery staple 4711"
      const file = path.join(a.root, "passphrase.txt")
      fs.writeFileSync(file, `${passphrase}\n`, { mode: 0o600 })

      const first = yield* push(a, ["--to", dir, "--passphrase-file", file])
      assert.match(first.package!.file, /\.tgz\.age$/)
      assert.strictEqual(configOf(a).encrypt_with_passphrase, true)
      assert.deepStrictEqual(holding(a.config, passphrase), [])

      // later, with something to push: no passphrase at hand is a usage error, nothing written
      appendLines(localRollout(a.codex, X), continuationLines(localRollout(a.codex, X), "more on A"))
      const folderBefore = fileState(dir)
      const refused = yield* run(a, "push")
      assert.strictEqual(refused.code, 2, refused.stderr)
      assert.include(refused.stderr, "SESSIONPORT_PASSPHRASE")
      assert.deepStrictEqual(fileState(dir), folderBefore)
      const second = yield* Effect.map(
        sessionSync(["push", "--json", ...a.homeOptions], { env: { ...a.env, SESSIONPORT_PASSPHRASE: passphrase } }),
        (result) => {
          assert.strictEqual(result.code, 0, result.stderr)
          return JSON.parse(result.stdout)
        }
      )
      assert.match(second.package.file, /^packages\/000002-[0-9a-f]{32}\.tgz\.age$/)

      const locked = yield* pull(b, ["--from", dir])
      assert.deepStrictEqual(locked.packages.map((p) => [p.status, p.kind]), [["skipped", "encrypted"], ["skipped", "encrypted"]])
      assert.include(locked.packages[0]!.why, "passphrase")
      const opened = yield* Effect.map(
        sessionSync(["pull", "--json", ...b.homeOptions], { env: { ...b.env, SESSIONPORT_PASSPHRASE: passphrase } }),
        (result) => {
          assert.strictEqual(result.code, 0, result.stderr)
          return JSON.parse(result.stdout)
        }
      )
      assert.deepStrictEqual(opened.packages.map((p: { seq: number; status: string }) => [p.seq, p.status]), [[1, "applied"], [2, "applied"]])
      assert.strictEqual(sessionCounts(b).codexRollouts, FIXTURE_IDS.length)
    }), 300_000)
})
