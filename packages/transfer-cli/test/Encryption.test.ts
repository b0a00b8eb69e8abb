/**
 * Encrypted packages through the bundled CLIs: `export --encrypt-to` / `--passphrase` writes a
 * `.tgz.age`; `inspect`, `list`, `install` and `session-sync sync` read it with `--identity` or a
 * passphrase; a missing or wrong key, or damage, is one line and exit 1 with the home byte for
 * byte as it was (every file, the journal's folder included); usage mistakes are exit 2 with
 * nothing written. Keys are made with typage (`Encryption.generateKeyPair`); the age command's
 * view is in EncryptionInterop.test.ts.
 */
import { assert, describe, it } from "@effect/vitest"
import { NO_CLAUDE_HOME, NO_XDG_DATA_HOME } from "@sessionport/codex-oracle/Cli"
import { copyFixtureHome, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { sessionMeta, userMessage, uuid, writeRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { Encryption } from "@sessionport/package-format"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll } from "vitest"
import { errorLines, sessionTransfer } from "./utils/cli.js"
import * as Pty from "./utils/pty.js"

afterAll(removeTemps)

const transferBin = fileURLToPath(new URL("../bin/session-transfer.mjs", import.meta.url))
const syncBin = fileURLToPath(new URL("../../sync-cli/bin/session-sync.mjs", import.meta.url))
const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", CLAUDE_CONFIG_DIR: NO_CLAUDE_HOME, XDG_DATA_HOME: NO_XDG_DATA_HOME }

const MAGIC = "age-encryption.org/v1\n"

/** `bytes` of text that does not compress (hex of a SHA-512 chain), so that the package spans several age chunks. */
const noise = (bytes: number): string => {
  let block = createHash("sha512").update("noise").digest()
  const parts: Array<string> = []
  for (let size = 0; size < bytes; size += 128) {
    parts.push(block.toString("hex"))
    block = createHash("sha512").update(block).digest()
  }
  return parts.join("").slice(0, bytes)
}

/** A Codex home of two sessions, one of them large and incompressible. */
const source = () => {
  const home = tempDir("enc-src")
  const ids = [uuid(0xe1), uuid(0xe2)]
  writeRollout(home, ids[0]!, new Date(Date.UTC(2026, 0, 1)), [sessionMeta({ id: ids[0]!, cwd: "/home/alice/proj" }), userMessage("hello")])
  writeRollout(home, ids[1]!, new Date(Date.UTC(2026, 0, 2)), [sessionMeta({ id: ids[1]!, cwd: "/home/alice/proj" }), userMessage(noise(300 * 1024))])
  return { home, ids }
}

/** Every file and folder under `dir` with the SHA-256 of its bytes: "nothing written" at its strictest. */
const tree = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (at: string, rel: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const relPath = `${rel}${entry.name}`
      const full = path.join(at, entry.name)
      if (entry.isDirectory()) {
        out[`${relPath}/`] = "dir"
        walk(full, `${relPath}/`)
      } else {
        out[relPath] = createHash("sha256").update(fs.readFileSync(full)).digest("hex")
      }
    }
  }
  walk(dir, "")
  return out
}

/** A key pair, the identity written as age-keygen writes its file. */
const keyFile = (dir: string, name = "key.txt") =>
  Effect.map(Encryption.generateKeyPair, ({ identity, recipient }) => {
    const file = path.join(dir, name)
    fs.writeFileSync(file, `# created: 2026-01-01T00:00:00Z\n# public key: ${recipient}\n${identity}\n`, { mode: 0o600 })
    return { file, recipient, identity }
  })

/** `sh -c LINE` with $0, $1… bound to `args`: a pipeline between the CLIs. */
const shell = (line: string, args: ReadonlyArray<string>, extra: Record<string, string> = {}) =>
  spawnSync("/bin/sh", ["-c", line, ...args], { encoding: "utf8", env: { ...env, ...extra }, maxBuffer: 1 << 28 })

const exportTo = (home: string, out: string, encryption: ReadonlyArray<string>, options: { env?: Record<string, string> } = {}) =>
  Effect.tap(sessionTransfer(["export", "--all", "--codex-home", home, "--out", out, ...encryption], options), (run) => {
    assert.strictEqual(run.code, 0, run.stderr)
  })

const sync = (args: ReadonlyArray<string>, extra: Record<string, string> = {}) =>
  spawnSync(process.execPath, [syncBin, ...args], { encoding: "utf8", env: { ...env, ...extra }, maxBuffer: 1 << 28 })

describe("export --encrypt-to, read with --identity", () => {
  it.effect("a .tgz.age that shows no session without the key; inspect, list, install and sync read it with one", () =>
    Effect.gen(function*() {
      const { home, ids } = source()
      const dir = tempDir("enc-out")
      const key = yield* keyFile(dir)
      const pkg = path.join(dir, "sessions.tgz.age")
      const exported = yield* exportTo(home, pkg, ["--encrypt-to", key.recipient])
      assert.include(exported.stdout, "(tgz.age, ")
      const bytes = fs.readFileSync(pkg)
      assert.strictEqual(bytes.subarray(0, MAGIC.length).toString("latin1"), MAGIC)
      // encrypted: neither the session ids, nor the manifest, nor a gzip stream in clear
      for (const id of ids) assert.isFalse(bytes.includes(id), id)
      assert.isFalse(bytes.includes("package_manifest.json"))

      const inspected = yield* sessionTransfer(["inspect", pkg, "--identity", key.file, "--json"])
      assert.strictEqual(inspected.code, 0, inspected.stderr)
      const inspection = JSON.parse(inspected.stdout)
      assert.strictEqual(inspection.format, "tgz.age")
      assert.deepStrictEqual(inspection.sessions.map((s: { thread_id: string }) => s.thread_id).sort(), [...ids].sort())
      // the key from the environment: a file, or the key itself
      for (const value of [key.file, key.identity]) {
        const byEnv = yield* sessionTransfer(["inspect", pkg, "--json"], { env: { SESSIONPORT_IDENTITY: value } })
        assert.strictEqual(byEnv.code, 0, byEnv.stderr)
      }

      const target = copyFixtureHome()
      const listed = yield* sessionTransfer(["list", pkg, "--identity", key.file, "--codex-home", target, "--json"])
      assert.strictEqual(listed.code, 0, listed.stderr)
      assert.deepStrictEqual(JSON.parse(listed.stdout).sessions.map((s: { status: string }) => s.status), ["new", "new"])

      const installed = yield* sessionTransfer(["install", pkg, "--identity", key.file, "--codex-home", target, "--yes", "--json"])
      assert.strictEqual(installed.code, 0, installed.stderr)
      assert.deepStrictEqual(JSON.parse(installed.stdout).sessions.map((s: { source_id: string }) => s.source_id).sort(), [...ids].sort())

      const other = copyFixtureHome()
      const synced = sync(["sync", pkg, "--identity", key.file, "--yes", "--json", "--codex-home", other])
      assert.strictEqual(synced.status, 0, synced.stderr)
      assert.strictEqual(JSON.parse(synced.stdout).counts.new_lineage, 2)
    }), 120_000)

  it.effect("export --out - | install - --identity, | session-sync sync - --identity: the encrypted archive through a pipe", () =>
    Effect.gen(function*() {
      const { home, ids } = source()
      const dir = tempDir("enc-pipe")
      const key = yield* keyFile(dir)
      const raw = spawnSync(process.execPath, [transferBin, "export", "--all", "--codex-home", home, "--out", "-", "--encrypt-to", key.recipient], {
        env,
        maxBuffer: 1 << 28
      })
      assert.strictEqual(raw.status, 0, String(raw.stderr))
      assert.strictEqual(raw.stdout.subarray(0, MAGIC.length).toString("latin1"), MAGIC)

      const target = copyFixtureHome()
      const installed = shell(`"$0" "$1" export --all --codex-home "$2" --out - --encrypt-to "$3" | "$0" "$1" install - --identity "$4" --codex-home "$5" --json`, [
        process.execPath, transferBin, home, key.recipient, key.file, target
      ])
      assert.strictEqual(installed.status, 0, installed.stderr)
      assert.deepStrictEqual(JSON.parse(installed.stdout).sessions.map((s: { source_id: string }) => s.source_id).sort(), [...ids].sort())

      const other = copyFixtureHome()
      const synced = shell(`"$0" "$1" export --all --codex-home "$2" --out - --encrypt-to "$3" | "$0" "$4" sync - --identity "$5" --yes --json --codex-home "$6"`, [
        process.execPath, transferBin, home, key.recipient, syncBin, key.file, other
      ])
      assert.strictEqual(synced.status, 0, synced.stderr)
      assert.strictEqual(JSON.parse(synced.stdout).counts.new_lineage, 2)
    }), 120_000)

  it.effect("an existing folder gets a .tgz.age named for what it holds", () =>
    Effect.gen(function*() {
      const { home } = source()
      const dir = tempDir("enc-folder")
      const key = yield* keyFile(tempDir("enc-key"))
      yield* exportTo(home, dir, ["--encrypt-to", key.recipient])
      const names = fs.readdirSync(dir)
      assert.strictEqual(names.length, 1, names.join(", "))
      assert.match(names[0]!, /^codex-sessions-2-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.tgz\.age$/)
    }))
})

describe("a missing or wrong key, or damage: one line, exit 1, the home as it was", () => {
  it.effect("install and sync refuse, naming what opens the package; nothing is written", () =>
    Effect.gen(function*() {
      const { home } = source()
      const dir = tempDir("enc-bad")
      const key = yield* keyFile(dir)
      const wrong = yield* keyFile(dir, "wrong.txt")
      const pkg = path.join(dir, "sessions.tgz.age")
      yield* exportTo(home, pkg, ["--encrypt-to", key.recipient])
      const bytes = fs.readFileSync(pkg)
      const variant = (name: string, change: (copy: Buffer) => Buffer) => {
        const file = path.join(dir, `${name}.tgz.age`)
        fs.writeFileSync(file, change(Buffer.from(bytes)))
        return file
      }
      // the payload starts after the header's MAC line and a 16-byte nonce; chunks of 64 KiB + 16
      const payload = bytes.indexOf("\n", bytes.indexOf("\n---") + 1) + 1 + 16
      assert.isAbove(bytes.length, payload + 3 * (65536 + 16), "the package spans several chunks")
      const truncated = variant("truncated", (copy) => copy.subarray(0, copy.length - 1))
      const flipped = variant("flipped", (copy) => {
        copy[payload + 65536 + 16 + 1234] = copy[payload + 65536 + 16 + 1234]! ^ 0x40
        return copy
      })
      const passphrase = { SESSIONPORT_PASSPHRASE: "not this one" }
      const cases: ReadonlyArray<readonly [string, string, ReadonlyArray<string>, string, Record<string, string>?]> = [
        ["no key", pkg, [], `${pkg}: encrypted (to 1 X25519): give --identity FILE or --passphrase`],
        ["a wrong key", pkg, ["--identity", wrong.file], `${pkg}: no identity given opens it (it is encrypted to 1 X25519)`],
        ["a passphrase instead", pkg, ["--passphrase"], `${pkg}: no identity given opens it (it is encrypted to 1 X25519)`, passphrase],
        ["truncated by a byte", truncated, ["--identity", key.file], "damaged or truncated encrypted data"],
        ["a byte flipped in the second chunk", flipped, ["--identity", key.file], "damaged or truncated encrypted data"],
        ["an identity file that is not there", pkg, ["--identity", path.join(dir, "none.txt")], "none.txt: cannot read"],
        ["a public key as identity", pkg, ["--identity", path.join(dir, "recipient.txt")], "recipient.txt:1: not an age identity"]
      ]
      fs.writeFileSync(path.join(dir, "recipient.txt"), `${key.recipient}\n`)
      const target = copyFixtureHome()
      const before = tree(target)
      for (const [what, file, args, expected, extra = {}] of cases) {
        const installed = yield* sessionTransfer(["install", file, ...args, "--codex-home", target, "--yes"], { env: extra })
        assert.strictEqual(installed.code, 1, `${what}: ${installed.stderr}`)
        assert.strictEqual(errorLines(installed).length, 1, `${what}: ${installed.stderr}`)
        assert.include(installed.stderr, expected, what)
        const synced = sync(["sync", file, ...args, "--yes", "--codex-home", target], extra)
        assert.strictEqual(synced.status, 1, `${what}: ${synced.stderr}`)
        assert.strictEqual(synced.stderr.trim().split("\n").length, 1, `${what}: ${synced.stderr}`)
        assert.deepStrictEqual(tree(target), before, `${what}: the home as it was`)
      }
    }), 180_000)
})

describe("--passphrase", () => {
  it.effect("off a terminal: from SESSIONPORT_PASSPHRASE or --passphrase-file; neither is a usage error, nothing written", () =>
    Effect.gen(function*() {
      const { home, ids } = source()
      const dir = tempDir("enc-pass")
      const pkg = path.join(dir, "sessions.tgz.age")
      const refused = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", pkg, "--passphrase"])
      assert.strictEqual(refused.code, 2, refused.stderr)
      assert.include(refused.stderr, "--passphrase off a terminal: set SESSIONPORT_PASSPHRASE or give --passphrase-file FILE")
      assert.deepStrictEqual(fs.readdirSync(dir), [])

      yield* exportTo(home, pkg, ["--passphrase"], { env: { SESSIONPORT_PASSPHRASE: "correct horse battery" } })
      assert.match(fs.readFileSync(pkg).subarray(0, 200).toString("latin1"), /^age-encryption\.org\/v1\n-> scrypt \S+ 18\n/)
      const file = path.join(dir, "passphrase.txt")
      fs.writeFileSync(file, "correct horse battery\nthe first line only\n")
      const target = copyFixtureHome()
      const installed = yield* sessionTransfer(["install", pkg, "--passphrase-file", file, "--codex-home", target, "--yes", "--json"])
      assert.strictEqual(installed.code, 0, installed.stderr)
      assert.deepStrictEqual(JSON.parse(installed.stdout).sessions.map((s: { source_id: string }) => s.source_id).sort(), [...ids].sort())
      // the variable is taken unasked by a reader
      const inspected = yield* sessionTransfer(["inspect", pkg], { env: { SESSIONPORT_PASSPHRASE: "correct horse battery" } })
      assert.strictEqual(inspected.code, 0, inspected.stderr)
      const wrong = yield* sessionTransfer(["inspect", pkg], { env: { SESSIONPORT_PASSPHRASE: "wrong" } })
      assert.strictEqual(wrong.code, 1)
      assert.strictEqual(errorLines(wrong)[0], `session-transfer: ${pkg}: the passphrase does not open it`)
      const asked = yield* sessionTransfer(["inspect", pkg, "--passphrase"])
      assert.strictEqual(asked.code, 2, asked.stderr)
    }), 120_000)
})

describe.skipIf(Pty.missing !== undefined)(`--passphrase on a terminal${Pty.missing === undefined ? "" : ` (skipped: ${Pty.missing})`}`, () => {
  it.effect("export asks twice (again when they differ), a reader once; what is typed never shows", () =>
    Effect.gen(function*() {
      const { home, ids } = source()
      const dir = tempDir("enc-tty")
      const pkg = path.join(dir, "sessions.tgz.age")
      const passphrase = "orchard lantern velvet"
      const exported = Pty.inPty([process.execPath, transferBin, "export", "--all", "--codex-home", home, "--out", pkg, "--passphrase"], [
        ["Passphrase to encrypt the package with", "a first try"],
        ["The same passphrase again", "not the same"],
        ["Passphrase to encrypt the package with", passphrase],
        ["The same passphrase again", passphrase]
      ], env)
      assert.strictEqual(exported.status, 0, exported.output)
      assert.include(exported.output, "The two passphrases differ; again.")
      for (const typed of ["a first try", "not the same", passphrase]) assert.notInclude(exported.output, typed)
      const inspected = Pty.inPty([process.execPath, transferBin, "inspect", pkg, "--passphrase"], [["Passphrase of the package", passphrase]], env)
      assert.strictEqual(inspected.status, 0, inspected.output)
      assert.notInclude(inspected.output, passphrase)
      for (const id of ids) assert.include(inspected.output, id)
    }), 120_000)
})

describe("usage errors: exit 2, nothing written", () => {
  it.effect("encryption needs a .tgz.age (or -, or a folder to name one in); a .tgz.age needs encryption; recipients or a passphrase", () =>
    Effect.gen(function*() {
      const { home } = source()
      const dir = tempDir("enc-usage")
      const key = yield* keyFile(tempDir("enc-usage-key"))
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["--out", path.join(dir, "x.tgz"), "--encrypt-to", key.recipient], "an encrypted package is a FILE.tgz.age"],
        [["--out", path.join(dir, "folder-package"), "--encrypt-to", key.recipient], "an encrypted package is a FILE.tgz.age"],
        [["--out", path.join(dir, "x.tgz.age")], "needs --encrypt-to RECIPIENT or --passphrase"],
        [["--out", path.join(dir, "x.tgz.age"), "--encrypt-to", key.recipient, "--passphrase"], "not both"],
        [["--out", path.join(dir, "x.tgz.age"), "--encrypt-to", "age1notakey"], "--encrypt-to age1notakey: not a valid age recipient"],
        [["--out", path.join(dir, "x.tgz.age"), "--encrypt-to", key.identity], "--encrypt-to AGE-SECRET-KEY-1…: a secret key (an identity), not a recipient"],
        [["--out", path.join(dir, "x.tgz.age"), "--encrypt-to", path.join(dir, "none.pub")], "none.pub: cannot read"],
        [["--out", path.join(dir, "x.json"), "--agent", "opencode", "--format", "opencode-json", "--encrypt-to", key.recipient], "only a package can be encrypted"]
      ]
      for (const [args, expected] of cases) {
        const run = yield* sessionTransfer(["export", "--all", "--codex-home", home, ...args])
        assert.strictEqual(run.code, 2, `${args.join(" ")}: ${run.stderr}`)
        assert.strictEqual(errorLines(run).length, 1, run.stderr)
        assert.include(run.stderr, expected)
        // a secret key given by mistake is never printed back
        assert.notInclude(run.stderr, key.identity.slice(20))
      }
      assert.deepStrictEqual(fs.readdirSync(dir), [])
    }), 120_000)
})
