import { assert, describe, it } from "@effect/vitest"
import { snapshot, withTmp } from "@sessionport/codex-oracle/PackageBuilders"
import * as MachineConfig from "@sessionport/lineage/MachineConfig"
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as Path from "node:path"

const fileOf = (dir: string) => JSON.parse(fs.readFileSync(Path.join(dir, "exchange.json"), "utf8"))

describe("MachineConfig.configDir", () => {
  it("SESSIONPORT_CONFIG_DIR, else XDG_CONFIG_HOME/sessionport, else APPDATA on Windows, else ~/.config/sessionport", () => {
    const home = "/home/alice"
    assert.strictEqual(
      MachineConfig.configDir({ SESSIONPORT_CONFIG_DIR: "/cfg/a", XDG_CONFIG_HOME: "/xdg" }, "linux", home),
      "/cfg/a"
    )
    assert.strictEqual(MachineConfig.configDir({ SESSIONPORT_CONFIG_DIR: "", XDG_CONFIG_HOME: "/xdg" }, "linux", home), "/xdg/sessionport")
    // a relative XDG_CONFIG_HOME is invalid (XDG spec)
    assert.strictEqual(MachineConfig.configDir({ XDG_CONFIG_HOME: "xdg" }, "linux", home), "/home/alice/.config/sessionport")
    assert.strictEqual(MachineConfig.configDir({ APPDATA: "/appdata" }, "linux", home), "/home/alice/.config/sessionport")
    assert.strictEqual(MachineConfig.configDir({ APPDATA: "/appdata" }, "win32", home), Path.join("/appdata", "sessionport"))
    assert.strictEqual(MachineConfig.configDir({}, "darwin", home), "/home/alice/.config/sessionport")
  })
})

describe("MachineConfig", () => {
  it.effect("ensure makes the machine id once, in a new config dir, and keeps it", () =>
    withTmp((tmp) =>
      Effect.gen(function*() {
        const dir = Path.join(tmp, "config", "sessionport")
        const config = MachineConfig.make(dir, { hostname: "Alice-Laptop", machineKey: "0123456789abcdef" })
        const first = yield* config.ensure()
        assert.match(first.machineId, /^alice-laptop-[0-9a-f]{8}$/)
        assert.match(first.writer, /^[0-9a-f]{16}$/)
        assert.strictEqual(first.machineName, "Alice-Laptop")
        assert.isTrue(Option.isNone(first.folder))
        const file = fileOf(dir)
        assert.deepStrictEqual(file, {
          format: 1,
          machine_id: first.machineId,
          machine_name: "Alice-Laptop",
          writer: first.writer,
          created_at: first.createdAt,
          folder: null,
          hostname: "Alice-Laptop",
          config_dir: dir,
          machine_key: "0123456789abcdef"
        })
        // another process: the config is read, not made again
        const again = yield* MachineConfig.make(dir, { hostname: "Alice-Laptop", machineKey: "0123456789abcdef" }).ensure()
        assert.deepStrictEqual(again, first)
        assert.deepStrictEqual(snapshot(dir), ["exchange.json"])
      })
    ))

  it.effect("ensure from many fibers at once agrees on one id and leaves no staged file", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const configs = yield* Effect.all(
          Array.from({ length: 8 }, () => MachineConfig.make(dir, { hostname: "box" }).ensure()),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(new Set(configs.map((c) => c.machineId)).size, 1)
        assert.strictEqual(fileOf(dir).machine_id, configs[0]!.machineId)
        assert.deepStrictEqual(snapshot(dir), ["exchange.json"])
      })
    ))

  it.effect("a damaged config is refused and left as it is", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const path = Path.join(dir, "exchange.json")
        for (
          const [text, why] of [
            ["{", /not JSON/],
            [JSON.stringify({ format: 1, machine_id: "Bad Id", machine_name: "x", writer: "0123456789abcdef", created_at: "x", folder: null }), /machine_id/],
            [JSON.stringify({ format: 2 }), /format/]
          ] as const
        ) {
          fs.writeFileSync(path, text)
          const error = yield* Effect.flip(MachineConfig.make(dir).ensure())
          assert.strictEqual(error.reason, "bad_config")
          assert.match(error.message, why)
          assert.match(error.message, /exchange\.json is not a usable sessionport machine config/)
          assert.strictEqual(fs.readFileSync(path, "utf8"), text)
        }
      })
    ))

  it.effect("resolveFolder: none set is no_folder with the suggestions; a given folder is remembered", () =>
    withTmp((tmp) =>
      Effect.gen(function*() {
        const dir = Path.join(tmp, "config")
        const shared = Path.join(tmp, "Dropbox", "sessionport")
        fs.mkdirSync(shared, { recursive: true })
        const config = MachineConfig.make(dir, { hostname: "alice" })

        const none = yield* Effect.flip(config.resolveFolder(Option.none()))
        assert.strictEqual(none.reason, "no_folder")
        assert.include(none.message, "~/OneDrive/sessionport, ~/Dropbox/sessionport or a Syncthing folder")

        assert.deepStrictEqual(yield* config.resolveFolder(Option.some(shared)), { folder: shared, changed: true })
        assert.strictEqual(fileOf(dir).folder, shared)
        assert.deepStrictEqual(yield* config.resolveFolder(Option.none()), { folder: shared, changed: false })
        assert.deepStrictEqual(yield* config.resolveFolder(Option.some(shared + "/")), { folder: shared, changed: false })

        // a change of folder is remembered and said
        const other = Path.join(tmp, "Syncthing")
        fs.mkdirSync(other)
        assert.deepStrictEqual(yield* config.resolveFolder(Option.some(other)), { folder: other, changed: true })
        assert.strictEqual(fileOf(dir).folder, other)
        // the id is unchanged by all this
        assert.strictEqual(fileOf(dir).machine_id, (yield* config.ensure()).machineId)
      })
    ))

  it.effect("resolveFolder: ~ and relative paths are made absolute", () =>
    withTmp((tmp) =>
      Effect.gen(function*() {
        fs.mkdirSync(Path.join(tmp, "OneDrive", "sessionport"), { recursive: true })
        const config = MachineConfig.make(Path.join(tmp, "config"), { hostname: "alice", home: tmp })
        assert.deepStrictEqual(yield* config.resolveFolder(Option.some("~/OneDrive/sessionport")), {
          folder: Path.join(tmp, "OneDrive", "sessionport"),
          changed: true
        })
        const relative = Path.relative(process.cwd(), Path.join(tmp, "OneDrive"))
        assert.deepStrictEqual(yield* config.resolveFolder(Option.some(relative)), {
          folder: Path.join(tmp, "OneDrive"),
          changed: true
        })
      })
    ))

  it.effect("resolveFolder: a folder that does not exist (given or remembered) or is a file is refused, never made nor remembered", () =>
    withTmp((tmp) =>
      Effect.gen(function*() {
        const dir = Path.join(tmp, "config")
        const config = MachineConfig.make(dir, { hostname: "alice" })
        const typo = Path.join(tmp, "Dropbx", "sessionport")
        const missing = yield* Effect.flip(config.resolveFolder(Option.some(typo)))
        assert.strictEqual(missing.reason, "folder_missing")
        assert.strictEqual(missing.message, `exchange folder ${typo} does not exist: create it (or the sync engine's folder) first, or check for a typo`)
        assert.isFalse(fs.existsSync(Path.join(tmp, "Dropbx")))
        // refused before a config is made
        assert.isFalse(fs.existsSync(Path.join(dir, MachineConfig.FILE)))

        fs.writeFileSync(Path.join(tmp, "file"), "x")
        const notFolder = yield* Effect.flip(config.resolveFolder(Option.some(Path.join(tmp, "file"))))
        assert.strictEqual(notFolder.reason, "folder_missing")
        assert.include(notFolder.message, "is not a folder")

        const shared = Path.join(tmp, "shared")
        fs.mkdirSync(shared)
        yield* config.resolveFolder(Option.some(shared))
        fs.rmdirSync(shared)
        const gone = yield* Effect.flip(config.resolveFolder(Option.none()))
        assert.strictEqual(gone.reason, "folder_missing")
        assert.isFalse(fs.existsSync(shared))
      })
    ))

  it.effect("setNewId gives a new machine id and writer and keeps the folder", () =>
    withTmp((tmp) =>
      Effect.gen(function*() {
        const dir = Path.join(tmp, "config")
        const config = MachineConfig.make(dir, { hostname: "alice" })
        yield* config.resolveFolder(Option.some(tmp))
        const before = yield* config.ensure()
        const after = yield* config.setNewId()
        assert.notStrictEqual(after.machineId, before.machineId)
        assert.notStrictEqual(after.writer, before.writer)
        assert.match(after.machineId, /^alice-[0-9a-f]{8}$/)
        assert.deepStrictEqual(after.folder, Option.some(tmp))
        assert.deepStrictEqual(yield* config.ensure(), after)
        assert.strictEqual(fileOf(dir).machine_id, after.machineId)
      })
    ))

  it.effect("a config copied to another host is refused before anything uses it; setNewId there makes it this host's own", () =>
    withTmp((tmp) =>
      Effect.gen(function*() {
        const dir = Path.join(tmp, "config")
        const original = yield* MachineConfig.make(dir, { hostname: "alice" }).resolveFolder(Option.some(tmp))
        const made = fileOf(dir)
        const elsewhere = MachineConfig.make(dir, { hostname: "bob-pc" })
        const refused = yield* Effect.flip(elsewhere.ensure())
        assert.strictEqual(refused.reason, "copied_config")
        assert.include(refused.message, "made on host alice, this is bob-pc")
        assert.include(refused.message, "push --new-machine-id")
        assert.strictEqual((yield* Effect.flip(elsewhere.resolveFolder(Option.none()))).reason, "copied_config")
        // nothing written by the refusals
        assert.deepStrictEqual(fileOf(dir), made)
        const own = yield* elsewhere.setNewId()
        assert.match(own.machineId, /^bob-pc-[0-9a-f]{8}$/)
        assert.notStrictEqual(own.writer, made.writer)
        assert.strictEqual(fileOf(dir).hostname, "bob-pc")
        assert.deepStrictEqual((yield* elsewhere.resolveFolder(Option.none())).folder, original.folder)
      })
    ))

  it.effect("a refused folder (none set, or missing) writes nothing: no config is made for a usage mistake", () =>
    withTmp((tmp) =>
      Effect.gen(function*() {
        const dir = Path.join(tmp, "config")
        const config = MachineConfig.make(dir, { hostname: "alice" })
        assert.strictEqual((yield* Effect.flip(config.resolveFolder(Option.none()))).reason, "no_folder")
        assert.strictEqual((yield* Effect.flip(config.resolveFolder(Option.some(Path.join(tmp, "typo"))))).reason, "folder_missing")
        assert.isFalse(fs.existsSync(dir))
      })
    ))

  it.effect("a config copied verbatim on the same host: into another config dir, or onto a cloned disk (another machine id file), is refused", () =>
    withTmp((tmp) =>
      Effect.gen(function*() {
        const dir = Path.join(tmp, "config")
        yield* MachineConfig.make(dir, { hostname: "alice", machineKey: "aaaaaaaaaaaaaaaa" }).resolveFolder(Option.some(tmp))
        const copy = Path.join(tmp, "copy")
        fs.cpSync(dir, copy, { recursive: true })
        const inCopy = yield* Effect.flip(MachineConfig.make(copy, { hostname: "alice", machineKey: "aaaaaaaaaaaaaaaa" }).ensure())
        assert.strictEqual(inCopy.reason, "copied_config")
        assert.include(inCopy.message, `it was made in ${dir}`)
        const cloned = yield* Effect.flip(MachineConfig.make(dir, { hostname: "alice", machineKey: "bbbbbbbbbbbbbbbb" }).ensure())
        assert.strictEqual(cloned.reason, "copied_config")
        assert.include(cloned.message, "machine id differs")
        // a host without a machine id file still has its name and the folder
        assert.strictEqual((yield* MachineConfig.make(dir, { hostname: "alice", machineKey: null }).ensure()).machineName, "alice")
      })
    ))

  it.effect("remember: push's encryption and redaction and pull's identity files, written only when they change, kept by a new id", () =>
    withTmp((tmp) =>
      Effect.gen(function*() {
        const dir = Path.join(tmp, "config")
        const config = MachineConfig.make(dir, { hostname: "alice", machineKey: null })
        const made = yield* config.resolveFolder(Option.some(tmp))
        assert.isTrue(made.changed)
        const fresh = yield* config.ensure()
        assert.isTrue(Option.isNone(fresh.encryption))
        assert.isFalse(fresh.redact)
        assert.deepStrictEqual(fresh.identities, [])

        const recipients = ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p", Path.join(tmp, "machines.txt")]
        const remembered = yield* config.remember({ encryption: Option.some({ _tag: "Recipients", recipients }), redact: true })
        assert.deepStrictEqual(remembered.encryption, Option.some({ _tag: "Recipients", recipients }))
        const file = fileOf(dir)
        assert.deepStrictEqual([file.encrypt_to, file.encrypt_with_passphrase, file.redact, file.identities], [recipients, undefined, true, undefined])
        // the folder and the id are kept
        assert.strictEqual(file.folder, tmp)
        assert.strictEqual(file.machine_id, fresh.machineId)

        // an unchanged choice writes nothing (the file's inode and bytes stay)
        const before = fs.statSync(Path.join(dir, "exchange.json"))
        yield* config.remember({ redact: true })
        assert.strictEqual(fs.statSync(Path.join(dir, "exchange.json")).mtimeMs, before.mtimeMs)

        // the passphrase mode: only that it asks, never a passphrase; identity files by path
        yield* config.remember({ encryption: Option.some({ _tag: "Passphrase" }), identities: [Path.join(tmp, "key.txt")] })
        const second = fileOf(dir)
        assert.deepStrictEqual([second.encrypt_to, second.encrypt_with_passphrase, second.identities], [undefined, true, [Path.join(tmp, "key.txt")]])
        const read = yield* MachineConfig.make(dir, { hostname: "alice", machineKey: null }).ensure()
        assert.deepStrictEqual([read.encryption, read.redact, read.identities], [Option.some({ _tag: "Passphrase" }), true, [Path.join(tmp, "key.txt")]])

        // a new machine id keeps the choices
        const renewed = yield* config.setNewId()
        assert.notStrictEqual(renewed.machineId, fresh.machineId)
        assert.deepStrictEqual([renewed.encryption, renewed.redact, renewed.identities], [Option.some({ _tag: "Passphrase" }), true, [Path.join(tmp, "key.txt")]])

        // forgotten: the fields go
        yield* config.remember({ encryption: Option.none(), redact: false, identities: [] })
        const last = fileOf(dir)
        assert.deepStrictEqual([last.encrypt_to, last.encrypt_with_passphrase, last.redact, last.identities], [undefined, undefined, undefined, undefined])
      })
    ))

  it.effect("a config with recipients and a passphrase mode at once is not usable", () =>
    withTmp((tmp) =>
      Effect.gen(function*() {
        const config = MachineConfig.make(tmp, { hostname: "alice", machineKey: null })
        yield* config.ensure()
        fs.writeFileSync(Path.join(tmp, "exchange.json"), JSON.stringify({ ...fileOf(tmp), encrypt_to: ["age1x"], encrypt_with_passphrase: true }))
        const error = yield* Effect.flip(config.current())
        assert.strictEqual(error.reason, "bad_config")
        assert.include(error.message, "not both")
      })
    ))
})
