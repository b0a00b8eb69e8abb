/**
 * Every command's `--json` output against its JSON Schema in `docs/json-schema/` (draft 2020-12,
 * closed shapes): each command of both CLIs is run for real on copies of the fixture homes of the
 * three agents, and what it prints is validated. A key the schema does not name fails (so does a
 * camelCase one: every schema names its fields in snake_case), and so does a command that takes
 * `--json` and has no row here.
 *
 * To add a command: write `docs/json-schema/<program>-<command>.json` and add a row to
 * {@link ROWS} (the command, its schema, how to run it on the world; rows run in order, on one
 * world, so a row may use what an earlier one made).
 */
import { assert, describe, it } from "@effect/vitest"
import { Fixtures as ClaudeFixtures } from "@sessionport/claude-oracle"
import {
  fixtureByRole,
  fixtureHome as codexFixtureHome,
  fixtures as codexFixtures,
  removeTemps,
  tempDir
} from "@sessionport/codex-oracle/Fixtures"
import * as Samples from "@sessionport/codex-oracle/SecretSamples"
import { Fixtures as OpencodeFixtures } from "@sessionport/opencode-oracle"
import { Encryption } from "@sessionport/package-format"
import { Ajv2020 } from "ajv/dist/2020.js"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { type CliResult, sessionSync, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const SCHEMAS = path.resolve(import.meta.dirname, "..", "..", "..", "docs", "json-schema")

// the generated line schemas (*.schema.json) are draft-07 and checked by @sessionport/schema
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true })
for (const name of fs.readdirSync(SCHEMAS).filter((name) => name.endsWith(".json") && !name.endsWith(".schema.json"))) {
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMAS, name), "utf8")))
}

/** A machine of the exchange rows: its config dir (`SESSIONPORT_CONFIG_DIR`) and its homes. */
interface Machine {
  readonly config: string
  readonly homes: ReadonlyArray<string>
}

/**
 * Copies of the fixture homes of the three agents (source), a second set (target), and a package;
 * for the exchange rows, an exchange folder and two machines on copies of their own.
 */
interface World {
  readonly dir: string
  readonly source: ReadonlyArray<string>
  readonly target: ReadonlyArray<string>
  /** made by the first export row */
  readonly pkg: string
  readonly exchange: string
  /** pushes (a session she continues between pushes) */
  readonly alice: Machine
  /** pushes once (so that her compaction waits for him), then pulls */
  readonly bob: Machine
}

const copy = (from: string, to: string): string => {
  fs.cpSync(from, to, { recursive: true, preserveTimestamps: true })
  return to
}

const homes = (dir: string): Array<string> => [
  "--codex-home",
  copy(codexFixtureHome, path.join(dir, "codex")),
  "--claude-home",
  copy(ClaudeFixtures.fixtureHome, path.join(dir, "claude")),
  "--opencode-data",
  copy(OpencodeFixtures.fixtureData, path.join(dir, "opencode"))
]

let made: World | undefined
const world = (): World => {
  if (made !== undefined) return made
  const dir = tempDir("json-schemas")
  // a rollout with a line that is not JSON, for validate
  const rollout = path.join(codexFixtureHome, Object.values(codexFixtures.sessions).find((s) => !s.compressed)!.rollout)
  fs.writeFileSync(path.join(dir, "torn.jsonl"), `${fs.readFileSync(rollout, "utf8")}{"type":"event_msg","payl\n`)
  const exchange = path.join(dir, "exchange")
  fs.mkdirSync(exchange)
  const machine = (name: string): Machine => ({ config: path.join(dir, `${name}-config`), homes: homes(path.join(dir, name)) })
  return made = {
    dir,
    source: homes(path.join(dir, "a")),
    target: homes(path.join(dir, "b")),
    pkg: path.join(dir, "pkg.tgz"),
    exchange,
    alice: machine("alice"),
    bob: machine("bob")
  }
}

/** `session-sync … --json` as that machine (its own config dir: never the user's) */
const asMachine = (m: Machine, args: ReadonlyArray<string>) =>
  sessionSync([...args, "--json"], { env: { SESSIONPORT_CONFIG_DIR: m.config } })
const onMachine = (m: Machine, args: ReadonlyArray<string>) => asMachine(m, [...args, ...m.homes])
const push = (w: World, m: Machine, ...args: ReadonlyArray<string>) => onMachine(m, ["push", "--to", w.exchange, ...args])
const pull = (w: World, m: Machine, ...args: ReadonlyArray<string>) => onMachine(m, ["pull", "--from", w.exchange, ...args])
const compact = (w: World, m: Machine, ...args: ReadonlyArray<string>) => asMachine(m, ["compact", "--folder", w.exchange, ...args])

/** the machine's id, as its config file says */
const machineId = (m: Machine): string => JSON.parse(fs.readFileSync(path.join(m.config, "exchange.json"), "utf8")).machine_id

/** the Codex session alice continues between pushes */
const grown = fixtureByRole("named")

/** a turn more in alice's copy of that session: its last line again */
const continueSession = (w: World) =>
  Effect.sync(() => {
    const file = path.join(w.alice.homes[1]!, grown.rollout)
    const lines = fs.readFileSync(file, "utf8").split("\n").filter((line) => line !== "")
    fs.appendFileSync(file, `${lines.at(-1)}\n`)
  })

interface Row {
  /** the command line, as the docs name it */
  readonly command: string
  /** its schema, in docs/json-schema/ */
  readonly schema: string
  /** runs it on the world */
  readonly run: (w: World) => Effect.Effect<CliResult>
  /** its exit code (default 0) */
  readonly exit?: number
  /** where the document is (default stdout; the other stream then holds no JSON) */
  readonly stream?: "stdout" | "stderr"
}

/** the passphrase of the encrypted package's rows */
const PASSPHRASE = "json schema rows"

const ROWS: ReadonlyArray<Row> = [
  {
    command: "session-transfer export",
    schema: "session-transfer-export.json",
    run: (w) => sessionTransfer(["export", "--all", ...w.source, "--out", w.pkg, "--json"])
  },
  {
    command: "session-transfer export --dry-run",
    schema: "session-transfer-export.json",
    run: (w) => sessionTransfer(["export", "--all", "--include-archived", ...w.source, "--out", path.join(w.dir, "dry"), "--dry-run", "--json"])
  },
  {
    // the archive on stdout, the report on stderr
    command: "session-transfer export --out -",
    schema: "session-transfer-export.json",
    stream: "stderr",
    run: (w) => sessionTransfer(["export", "--agent", "codex", "--all", ...w.source, "--out", "-", "--json"])
  },
  {
    // OpenCode sessions as `opencode export` files, into an existing folder
    command: "session-transfer export --format opencode-json",
    schema: "session-transfer-export.json",
    run: (w) => {
      const out = path.join(w.dir, "opencode-json")
      fs.mkdirSync(out, { recursive: true })
      return sessionTransfer(["export", "--agent", "opencode", "--format", "opencode-json", "--all", ...w.source, "--out", out, "--json"])
    }
  },
  {
    command: "session-transfer inspect",
    schema: "session-transfer-inspect.json",
    run: (w) => sessionTransfer(["inspect", w.pkg, "--json"])
  },
  {
    // an encrypted package (age, with a passphrase off a terminal), and the same documents reading it
    command: "session-transfer export --passphrase",
    schema: "session-transfer-export.json",
    run: (w) =>
      sessionTransfer(["export", "--agent", "codex", "--all", ...w.source, "--out", path.join(w.dir, "pkg.tgz.age"), "--passphrase", "--json"], {
        env: { SESSIONPORT_PASSPHRASE: PASSPHRASE }
      })
  },
  {
    command: "session-transfer inspect (encrypted)",
    schema: "session-transfer-inspect.json",
    run: (w) => sessionTransfer(["inspect", path.join(w.dir, "pkg.tgz.age"), "--json"], { env: { SESSIONPORT_PASSPHRASE: PASSPHRASE } })
  },
  {
    command: "session-transfer validate",
    schema: "session-transfer-validate.json",
    run: (w) => sessionTransfer(["validate", w.source[1]!, "--json"])
  },
  {
    command: "session-transfer validate (a line not JSON)",
    schema: "session-transfer-validate.json",
    // the document, then the failure on stderr
    exit: 1,
    run: (w) => sessionTransfer(["validate", path.join(w.dir, "torn.jsonl"), "--json"])
  },
  {
    command: "session-transfer install --dry-run",
    schema: "session-transfer-install.json",
    run: (w) => sessionTransfer(["install", w.pkg, ...w.target, "--dry-run", "--json"])
  },
  {
    command: "session-transfer install",
    schema: "session-transfer-install.json",
    run: (w) =>
      sessionTransfer(["install", w.pkg, ...w.target, "--map", `${codexFixtures.source.alpha}=${path.join(w.dir, "alpha")}`, "--json"])
  },
  {
    command: "session-transfer list-transactions",
    schema: "session-transfer-list-transactions.json",
    run: (w) => sessionTransfer(["list-transactions", ...w.target, "--json"])
  },
  {
    command: "session-transfer rollback --dry-run",
    schema: "session-transfer-rollback.json",
    run: (w) => sessionTransfer(["rollback", "--latest", ...w.target, "--dry-run", "--json"])
  },
  {
    command: "session-sync inspect-package",
    schema: "session-sync-inspect-package.json",
    run: (w) => sessionSync(["inspect-package", w.pkg, ...w.target, "--json"])
  },
  {
    command: "session-sync sync",
    schema: "session-sync-sync.json",
    run: (w) => sessionSync(["sync", w.pkg, ...w.target, "--yes", "--json"])
  },
  {
    command: "session-sync sidecar-health",
    schema: "session-sync-sidecar-health.json",
    run: (w) => sessionSync(["sidecar-health", ...w.target, "--json"])
  },
  {
    command: "session-sync adopt",
    schema: "session-sync-adopt.json",
    run: (w) => sessionSync(["adopt", ...w.target, "--json"])
  },
  {
    command: "session-sync rebuild-sidecar --dry-run",
    schema: "session-sync-rebuild-sidecar.json",
    run: (w) => sessionSync(["rebuild-sidecar", ...w.target, "--dry-run", "--json"])
  },
  {
    command: "session-sync prune-invalid-mappings",
    schema: "session-sync-prune-invalid-mappings.json",
    run: (w) => sessionSync(["prune-invalid-mappings", ...w.target, "--json"])
  },
  {
    command: "session-sync replay-transactions-sidecar --dry-run",
    schema: "session-sync-replay-transactions-sidecar.json",
    run: (w) => sessionSync(["replay-transactions-sidecar", ...w.target, "--dry-run", "--json"])
  },
  {
    command: "session-sync list-transactions",
    schema: "session-sync-list-transactions.json",
    run: (w) => sessionSync(["list-transactions", ...w.target, "--json"])
  },
  {
    command: "session-sync rollback",
    schema: "session-sync-rollback.json",
    run: (w) => sessionSync(["rollback", "--latest", ...w.target, "--json"])
  },
  {
    command: "session-transfer rollback",
    schema: "session-transfer-rollback.json",
    run: (w) => sessionTransfer(["rollback", "--latest", ...w.target, "--json"])
  },
  {
    command: "session-transfer recover",
    schema: "session-transfer-recover.json",
    run: (w) => sessionTransfer(["recover", ...w.target, "--json"])
  },
  {
    command: "session-sync recover",
    schema: "session-sync-recover.json",
    run: (w) => sessionSync(["recover", ...w.target, "--json"])
  },
  {
    command: "session-transfer list",
    schema: "session-transfer-list.json",
    run: (w) => sessionTransfer(["list", ...w.target, "--json"])
  },
  {
    command: "session-transfer list PACKAGE",
    schema: "session-transfer-list.json",
    run: (w) => sessionTransfer(["list", w.pkg, ...w.target, "--json"])
  },
  {
    command: "session-transfer cleanup --dry-run",
    schema: "session-transfer-cleanup.json",
    run: (w) => sessionTransfer(["cleanup", "--all", ...w.target, "--dry-run", "--json"])
  },
  {
    command: "session-transfer export --redact",
    schema: "session-transfer-export.json",
    run: (w) => sessionTransfer(["export", "--all", ...w.source, "--out", path.join(w.dir, "redacted.tgz"), "--redact", "--json"])
  },
  {
    command: "session-transfer scan",
    schema: "session-transfer-scan.json",
    run: (w) => sessionTransfer(["scan", ...w.source, "--json"])
  },
  {
    command: "session-transfer scan PACKAGE",
    schema: "session-transfer-scan.json",
    run: (w) => sessionTransfer(["scan", w.pkg, "--json"])
  },
  {
    command: "session-transfer scan FILE",
    schema: "session-transfer-scan.json",
    run: (w) => sessionTransfer(["scan", path.join(w.dir, "torn.jsonl"), "--json"])
  },
  {
    command: "session-transfer cleanup",
    schema: "session-transfer-cleanup.json",
    run: (w) => sessionTransfer(["cleanup", "--agent", "claude", "--all", ...w.target, "--yes", "--json"])
  },

  // the exchange: alice publishes every session, then one she continues, twice; bob pulls
  {
    command: "session-sync push",
    schema: "session-sync-push.json",
    run: (w) => push(w, w.alice)
  },
  {
    command: "session-sync push (nothing changed)",
    schema: "session-sync-push.json",
    run: (w) => push(w, w.alice)
  },
  {
    // bob has an outbox.json now: alice's compaction waits until he has pulled
    command: "session-sync push (a second machine)",
    schema: "session-sync-push.json",
    run: (w) => push(w, w.bob)
  },
  {
    command: "session-sync push --dry-run (a session continued)",
    schema: "session-sync-push.json",
    run: (w) => Effect.zipRight(continueSession(w), push(w, w.alice, "--dry-run"))
  },
  {
    command: "session-sync push (the session continued)",
    schema: "session-sync-push.json",
    run: (w) => push(w, w.alice)
  },
  {
    // its package supersedes the previous one, which bob has not pulled
    command: "session-sync push (the session continued again)",
    schema: "session-sync-push.json",
    run: (w) => Effect.zipRight(continueSession(w), push(w, w.alice))
  },
  {
    command: "session-sync compact --dry-run (a package not pulled yet)",
    schema: "session-sync-compact.json",
    run: (w) => compact(w, w.alice, "--dry-run")
  },
  {
    command: "session-sync pull --dry-run",
    schema: "session-sync-pull.json",
    run: (w) => pull(w, w.bob, "--dry-run")
  },
  {
    // the first package (all unchanged here), the third (a fast-forward); the second superseded
    command: "session-sync pull",
    schema: "session-sync-pull.json",
    run: (w) => pull(w, w.bob)
  },
  {
    command: "session-sync pull (nothing new)",
    schema: "session-sync-pull.json",
    run: (w) => pull(w, w.bob)
  },
  {
    command: "session-sync compact --dry-run",
    schema: "session-sync-compact.json",
    run: (w) => compact(w, w.alice, "--dry-run")
  },
  {
    command: "session-sync compact",
    schema: "session-sync-compact.json",
    run: (w) => compact(w, w.alice)
  },
  {
    // a fourth package, cut to half its listed size: as a sync engine shows a file still arriving
    command: "session-sync pull (a package still arriving)",
    schema: "session-sync-pull.json",
    run: (w) =>
      Effect.gen(function*() {
        yield* continueSession(w)
        const pushed = yield* push(w, w.alice)
        assert.strictEqual(pushed.code, 0, pushed.stderr)
        const file = path.join(w.exchange, machineId(w.alice), JSON.parse(pushed.stdout).package.file)
        fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2))
        return yield* pull(w, w.bob)
      })
  },
  {
    // bob sees alice's package still arriving, and his own outbox
    command: "session-sync status",
    schema: "session-sync-status.json",
    run: (w) => onMachine(w.bob, ["status", "--folder", w.exchange])
  },
  {
    // encrypted to a key bob has not been given (yet)
    command: "session-sync push --encrypt-to (the session continued, encrypted)",
    schema: "session-sync-push.json",
    run: (w) =>
      Effect.gen(function*() {
        const pair = yield* Encryption.generateKeyPair
        fs.writeFileSync(path.join(w.dir, "bob-key.txt"), `${pair.identity}\n`, { mode: 0o600 })
        yield* continueSession(w)
        return yield* push(w, w.alice, "--encrypt-to", pair.recipient)
      })
  },
  {
    command: "session-sync pull (an encrypted package, no key)",
    schema: "session-sync-pull.json",
    run: (w) => pull(w, w.bob)
  },
  {
    command: "session-sync status (an encrypted package no key here opens)",
    schema: "session-sync-status.json",
    run: (w) => onMachine(w.bob, ["status", "--folder", w.exchange])
  },

  // failures: one JSON line on stderr, whatever failed
  {
    command: "session-transfer export (a usage error the parser finds)",
    schema: "error.json",
    exit: 2,
    stream: "stderr",
    run: (w) => sessionTransfer(["export", "--all", ...w.source, "--json"])
  },
  {
    command: "session-transfer rollback (a usage error the command finds)",
    schema: "error.json",
    exit: 2,
    stream: "stderr",
    run: (w) => sessionTransfer(["rollback", ...w.target, "--json"])
  },
  {
    command: "session-sync sync (an unknown option)",
    schema: "error.json",
    exit: 2,
    stream: "stderr",
    run: (w) => sessionSync(["sync", w.pkg, "--bogus", "--json"])
  },
  {
    command: "session-transfer inspect (encrypted, no key)",
    schema: "error.json",
    exit: 1,
    stream: "stderr",
    run: (w) => sessionTransfer(["inspect", path.join(w.dir, "pkg.tgz.age"), "--json"])
  },
  {
    // a token pasted into alice's session: nothing published
    command: "session-sync push --fail-on-secrets (a secret found)",
    schema: "error.json",
    exit: 1,
    stream: "stderr",
    run: (w) =>
      Effect.gen(function*() {
        const file = path.join(w.alice.homes[1]!, grown.rollout)
        const line = { timestamp: "2026-11-21T09:20:00.000Z", type: "response_item", payload: { type: "message", role: "user", content: [{ type: "input_text", text: `the token: ${Samples.githubToken}` }] } }
        fs.appendFileSync(file, JSON.stringify(line) + "\n")
        return yield* push(w, w.alice, "--fail-on-secrets")
      })
  },
  {
    command: "session-transfer rollback (refused work)",
    schema: "error.json",
    exit: 1,
    stream: "stderr",
    run: (w) => sessionTransfer(["rollback", "0000dead", ...w.target, "--json"])
  },
  {
    // a machine with no remembered folder
    command: "session-sync pull (no exchange folder)",
    schema: "error.json",
    exit: 2,
    stream: "stderr",
    run: (w) => onMachine({ config: path.join(w.dir, "new-config"), homes: w.bob.homes }, ["pull"])
  },
  {
    // into fresh homes; the signal the process sends itself after journal step 4, in the transaction (SESSIONPORT_CRASH_AT)
    command: "session-transfer install (interrupted mid-transaction)",
    schema: "error.json",
    exit: 130,
    stream: "stderr",
    run: (w) => sessionTransfer(["install", w.pkg, ...homes(path.join(w.dir, "c")), "--json"], { env: { SESSIONPORT_CRASH_AT: "4:sigint" } })
  }
]

/**
 * Commands that take --json whose row and schema are still to come (each one's own change adds
 * them; `status`: after the exchange rows, on their machines).
 */
const PENDING: ReadonlyArray<string> = []

// the documents the rows printed, for the checks after them
const printed = new Map<string, unknown>()

/** The document with a field no schema names, where the schema's shape is closed (the top, or the first item). */
const withUnknownKey = (document: unknown): unknown =>
  Array.isArray(document)
    ? [withUnknownKey(document[0]), ...document.slice(1)]
    : { ...(document as object), unexpectedField: true }

describe("--json output matches its schema in docs/json-schema/", () => {
  for (const row of ROWS) {
    it.effect(row.command, () =>
      Effect.gen(function*() {
        const validate = ajv.getSchema(row.schema)
        assert.isDefined(validate, `docs/json-schema/${row.schema} is missing`)
        const result = yield* row.run(world())
        const stream = row.stream ?? "stdout"
        assert.strictEqual(result.code, row.exit ?? 0, result.stderr)
        let text = result[stream]
        if (row.schema === "error.json") {
          // a failure: its one JSON line is the last of stderr (warnings may come before it), stdout empty
          const lines = text.split("\n").filter((line) => line.trim() !== "")
          assert.strictEqual(lines.filter((line) => line.startsWith("{")).length, 1, text)
          text = lines.at(-1)!
          assert.strictEqual(result.stdout, "")
        } else if (stream === "stderr") {
          // export --out -: the archive on stdout, the report alone on stderr
          assert.match(text, /^\{[\s\S]*\}\n$/, text)
          assert.isAbove(result.stdout.length, 0)
        }
        const document = JSON.parse(text) as unknown
        printed.set(row.command, document)
        assert.isTrue(validate!(document), `${row.command}: ${ajv.errorsText(validate!.errors, { separator: "\n" })}\n${text.slice(0, 2000)}`)
        // the schema is closed: the check above would fail on a field it does not name
        assert.isFalse(validate!(withUnknownKey(document)), `${row.schema} accepts a field it does not name`)
      }), 120_000)
  }

  it.effect("the rows saw what the schemas leave optional (a dry run and a real run, a map, id swaps, a line not JSON, each kind of failure)", () =>
    Effect.sync(() => {
      const doc = (command: string) => printed.get(command) as Record<string, any> | undefined
      assert.strictEqual(doc("session-transfer install --dry-run")?.dry_run, true)
      assert.isString(doc("session-transfer install")?.transaction_id)
      assert.deepInclude(doc("session-transfer install")?.maps ?? [], { from: codexFixtures.source.alpha, to: path.join(world().dir, "alpha"), source: "given" })
      assert.isTrue((doc("session-transfer install --dry-run")?.changes ?? []).some((c: { ids?: number }) => typeof c.ids === "number"))
      assert.deepStrictEqual(Object.keys(doc("session-transfer install")?.homes ?? {}).sort(), ["claude", "codex", "opencode"])
      assert.strictEqual(doc("session-transfer validate (a line not JSON)")?.ok, false)
      assert.strictEqual(doc("session-transfer validate (a line not JSON)")?.files[0].invalid_lines.length, 1)
      assert.strictEqual(doc("session-transfer export (a usage error the parser finds)")?.error._tag, "UsageError")
      assert.strictEqual(doc("session-transfer rollback (a usage error the command finds)")?.error._tag, "UsageError")
      assert.strictEqual(doc("session-transfer export --passphrase")?.format, "tgz.age")
      assert.strictEqual(doc("session-transfer inspect (encrypted)")?.format, "tgz.age")
      assert.deepInclude(doc("session-transfer inspect (encrypted, no key)")?.error, { _tag: "PackageError", reason: "encrypted" })
      const interrupted = doc("session-transfer install (interrupted mid-transaction)")?.error
      assert.deepInclude(interrupted, { _tag: "Interrupted", rolled_back: true }, JSON.stringify(interrupted))
      assert.isString(interrupted?.transaction)
    }))

  it.effect("the exchange rows saw each case (a package and none, a fast-forward, superseded, skipped, not pulled yet, removed)", () =>
    Effect.sync(() => {
      const doc = (command: string) => printed.get(command) as Record<string, any> | undefined
      const w = world()
      const alice = machineId(w.alice)
      const bob = machineId(w.bob)
      const outbox = path.join(w.exchange, alice)
      const listed = (): Array<string> =>
        JSON.parse(fs.readFileSync(path.join(outbox, "outbox.json"), "utf8")).packages.map((p: { file: string }) => p.file)

      const first = doc("session-sync push")
      assert.deepInclude(first, { folder: w.exchange, folder_changed: true, machine_id: alice, dry_run: false })
      assert.isTrue(fs.existsSync(path.join(outbox, first?.package.file)))
      assert.deepInclude(doc("session-sync push (nothing changed)"), { folder_changed: false, package: null, sessions: [] })
      const dry = doc("session-sync push --dry-run (a session continued)")
      assert.deepInclude(dry, { dry_run: true, package: null })
      assert.deepStrictEqual(dry?.sessions.map((s: any) => [s.agent, s.id]), [["codex", grown.threadId]])
      const second = doc("session-sync push (the session continued)")?.package.file
      const third = doc("session-sync push (the session continued again)")?.package.file

      const waiting = doc("session-sync compact --dry-run (a package not pulled yet)")
      assert.deepStrictEqual(waiting?.removed, [])
      assert.deepInclude(waiting?.kept, { stem: path.basename(second, ".tgz"), why: "not_pulled", machines: [bob] })

      const planned = doc("session-sync pull --dry-run")
      assert.deepInclude(planned, { machine_id: bob, dry_run: true, machines: [alice] })
      assert.notProperty(planned, "transaction_id")
      const pulled = doc("session-sync pull")
      assert.isString(pulled?.transaction_id)
      assert.isTrue(pulled?.receipts_written)
      const status = (file: string) => pulled?.packages.find((p: any) => p.file === file)
      assert.strictEqual(status(first?.package.file)?.status, "applied")
      assert.strictEqual(status(second)?.status, "superseded")
      assert.deepInclude(status(third)?.sync.sessions[0], { source_id: grown.threadId, class: "fast_forward_import", action: "append" })
      assert.strictEqual(status(third)?.sync.transaction_id, pulled?.transaction_id)
      assert.deepStrictEqual(doc("session-sync pull (nothing new)")?.packages, [])
      assert.notProperty(doc("session-sync pull (nothing new)"), "transaction_id")

      assert.deepStrictEqual(doc("session-sync compact --dry-run")?.removed, [second])
      assert.deepStrictEqual(doc("session-sync compact")?.removed, [second])
      assert.isFalse(fs.existsSync(path.join(outbox, second)))
      assert.notInclude(listed(), second)

      const arriving = doc("session-sync pull (a package still arriving)")?.packages
      assert.deepStrictEqual(arriving?.map((p: any) => [p.machine_id, p.status, p.kind]), [[alice, "skipped", "arriving"]])
      assert.strictEqual(doc("session-sync pull (no exchange folder)")?.error._tag, "UsageError")

      const exchangeStatus = doc("session-sync status")
      assert.strictEqual(exchangeStatus?.machine.id, machineId(w.bob))
      assert.deepStrictEqual(exchangeStatus?.machines.map((m: any) => [m.id, m.skipped.map((s: any) => s.kind)]), [[alice, ["arriving"]]])

      // encrypted: the push (and its scan), the pull and the status that cannot open it, a refusal for a secret
      const sealed = doc("session-sync push --encrypt-to (the session continued, encrypted)")
      assert.deepInclude(sealed, { encryption: "recipients" })
      assert.match(sealed?.package.file, /\.tgz\.age$/)
      assert.isTrue(sealed?.package.encrypted)
      assert.deepInclude(sealed?.secrets, { redacted: false, findings: [] })
      assert.strictEqual(first?.encryption, null)
      assert.isFalse(first?.package.encrypted)
      const locked = doc("session-sync pull (an encrypted package, no key)")?.packages.find((p: any) => p.file === sealed?.package.file)
      assert.deepInclude(locked, { status: "skipped", kind: "encrypted" })
      const lockedStatus = doc("session-sync status (an encrypted package no key here opens)")?.machines.find((m: any) => m.id === alice)
      assert.deepInclude(lockedStatus?.skipped, { file: sealed?.package.file, kind: "encrypted", why: locked?.why })
      assert.strictEqual(lockedStatus?.encrypted.packages, 1)
      assert.deepInclude(doc("session-sync push --fail-on-secrets (a secret found)")?.error, { _tag: "SecretsFound" })
    }))

  it.effect("every command that takes --json has a row", () =>
    Effect.gen(function*() {
      for (const [program, run] of [["session-transfer", sessionTransfer], ["session-sync", sessionSync]] as const) {
        const help = yield* run(["--help"])
        // the COMMANDS list: `  - export [--agent …] … [--json] …  Description.`
        const commands = [...help.stdout.matchAll(/^\s*- ([a-z][a-z-]*) (.*)$/gm)]
          .filter(([, , usage]) => /\[--json\]/.test(usage!))
          .map(([, name]) => `${program} ${name}`)
        assert.isAbove(commands.length, 5, help.stdout)
        for (const command of commands) {
          const hasRow = ROWS.some((row) => row.command === command || row.command.startsWith(`${command} `))
          assert.strictEqual(hasRow, !PENDING.includes(command), hasRow ? `${command} has a row: take it out of PENDING` : `no row for ${command}`)
        }
      }
    }), 60_000)
})
