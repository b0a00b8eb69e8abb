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
import { fixtureHome as codexFixtureHome, fixtures as codexFixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Fixtures as OpencodeFixtures } from "@sessionport/opencode-oracle"
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

/** Copies of the fixture homes of the three agents (source), a second set (target), and a package. */
interface World {
  readonly dir: string
  readonly source: ReadonlyArray<string>
  readonly target: ReadonlyArray<string>
  /** made by the first export row */
  readonly pkg: string
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
  return made = {
    dir,
    source: homes(path.join(dir, "a")),
    target: homes(path.join(dir, "b")),
    pkg: path.join(dir, "pkg.tgz")
  }
}

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
    command: "session-transfer inspect",
    schema: "session-transfer-inspect.json",
    run: (w) => sessionTransfer(["inspect", w.pkg, "--json"])
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
    command: "session-transfer cleanup",
    schema: "session-transfer-cleanup.json",
    run: (w) => sessionTransfer(["cleanup", "--agent", "claude", "--all", ...w.target, "--yes", "--json"])
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
    command: "session-transfer rollback (refused work)",
    schema: "error.json",
    exit: 1,
    stream: "stderr",
    run: (w) => sessionTransfer(["rollback", "0000dead", ...w.target, "--json"])
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

/** Commands that take --json whose row and schema are still to come (each one's own change adds them). */
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
      const interrupted = doc("session-transfer install (interrupted mid-transaction)")?.error
      assert.deepInclude(interrupted, { _tag: "Interrupted", rolled_back: true }, JSON.stringify(interrupted))
      assert.isString(interrupted?.transaction)
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
