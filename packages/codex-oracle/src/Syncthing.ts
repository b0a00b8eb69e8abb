/**
 * Two real Syncthing instances (Debian's `syncthing`, 1.19) keeping one folder in step between
 * two paths on this machine, on loopback only: the sync engine of the "many machines through a
 * synced folder" tests. Each instance gets a generated home whose config is edited before its
 * first start (REST API and sync listener on free 127.0.0.1 ports, announce, relays, NAT, usage
 * reports and upgrades off, a 1 s file-watcher delay); the devices are introduced and the folder
 * shared through the REST API. Everything belongs to the scope: the processes are stopped (killed
 * if they linger) and the homes removed when it closes, whatever happened.
 *
 * Syncthing puts a `.stfolder` marker directory into each shared path.
 * See `../shared/research/syncthing-loopback.md` for the recipe and its measurements.
 *
 * @since 0.4.0
 */
import { Command, FileSystem } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import { Data, Duration, Effect, Schedule, type Scope } from "effect"
import * as ChildProcess from "node:child_process"
import { randomBytes } from "node:crypto"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Path from "node:path"
import * as ChildRun from "./ChildRun.js"
import { realTime } from "./ChildRun.js"
import { configure } from "./internal/syncthingConfig.js"

/** @since 0.4.0 @category errors */
export class SyncthingError extends Data.TaggedError("SyncthingError")<{
  readonly reason: "Missing" | "Start" | "Api" | "Timeout"
  readonly detail: string
  readonly cause?: unknown
}> {
  override get message() {
    return `syncthing ${this.reason}: ${this.detail}`
  }
}

/** @since 0.4.0 @category models */
export type Side = "a" | "b"

/** One running instance, for tests that need more than the pair's methods. @since 0.4.0 @category models */
export interface Instance {
  readonly side: Side
  readonly deviceId: string
  /** Its path of the shared folder (absolute). */
  readonly folder: string
  /** Its generated home (config, keys, database, `syncthing.log`); removed with the scope. */
  readonly home: string
  /** The REST API, `http://127.0.0.1:<port>`; every request needs the header `X-API-Key: apiKey`. */
  readonly origin: string
  readonly apiKey: string
  readonly pid: number
}

/** @since 0.4.0 @category models */
export interface Pair {
  readonly a: Instance
  readonly b: Instance
  /** The shared folder's Syncthing id. */
  readonly folderId: string
  /** A synchronous rescan of the folder on `side` (returns once the scan is done). */
  readonly scan: (side: Side) => Effect.Effect<void, SyncthingError>
  /**
   * Scans both sides, then waits until each reports the folder idle with nothing to pull and no
   * errors, sees the other at 100 % completion, and both agree on the global file set: whatever
   * was written on either side before the call is then on both.
   */
  readonly settle: Effect.Effect<void, SyncthingError>
  /** A REST call on `side` (`path` with its query); the parsed JSON answer, if any. */
  readonly api: (side: Side, method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown) => Effect.Effect<unknown, SyncthingError>
  /** Stops both processes now (the scope would at its end); idempotent. */
  readonly stop: Effect.Effect<void>
}

/** @since 0.4.0 @category models */
export interface PairOptions {
  /** The two paths of the shared folder (created by Syncthing when missing). */
  readonly folder: { readonly a: string; readonly b: string }
  /** The folder's Syncthing id; default `sessionport`. */
  readonly folderId?: string
  /** Bound of each wait (start, connect, settle); default 60 s. */
  readonly timeout?: Duration.DurationInput
}

/**
 * Why the harness cannot run here (`syncthing` not on PATH), or `undefined`; synchronous, for
 * `describe.skipIf`. `scripts/ensure-syncthing.mjs` installs it.
 *
 * @since 0.4.0
 * @category utils
 */
export const missing = (): string | undefined =>
  ChildProcess.spawnSync("syncthing", ["--version"], { stdio: "ignore" }).status === 0
    ? undefined
    : "syncthing is not on PATH (node scripts/ensure-syncthing.mjs installs Debian's package as root)"

const fail = (reason: SyncthingError["reason"], detail: string, cause?: unknown) =>
  new SyncthingError(cause === undefined ? { reason, detail } : { reason, detail, cause })

/** Free loopback ports, all held open at once so none is handed out twice. */
const freePorts = (count: number) =>
  Effect.async<ReadonlyArray<number>, SyncthingError>((resume) => {
    const servers = Array.from({ length: count }, () => Net.createServer())
    let listening = 0
    const closeAll = () => servers.forEach((server) => server.close())
    servers.forEach((server) => {
      server.once("error", (cause) => {
        closeAll()
        resume(Effect.fail(fail("Start", `no free loopback port: ${String(cause)}`, cause)))
      })
      server.listen(0, "127.0.0.1", () => {
        if (++listening < count) return
        const ports = servers.map((s) => (s.address() as Net.AddressInfo).port)
        closeAll()
        resume(Effect.succeed(ports))
      })
    })
  })

const logTail = (home: string) => {
  try {
    return Fs.readFileSync(Path.join(home, "syncthing.log"), "utf8").trim().split("\n").slice(-3).join(" | ")
  } catch {
    return "(no log)"
  }
}

/** SIGTERM, then SIGKILL if it is still there after 5 s; resolves once it exited. */
const terminate = (child: ChildProcess.ChildProcess) =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000)
    child.once("exit", () => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    child.kill("SIGTERM")
  })

const exited = (child: ChildProcess.ChildProcess) => child.exitCode !== null || child.signalCode !== null

const request = (
  at: { readonly origin: string; readonly apiKey: string },
  method: string,
  path: string,
  timeout: Duration.Duration,
  body?: unknown
) =>
  Effect.tryPromise({
    try: async (signal) => {
      const init: RequestInit = {
        method,
        signal,
        headers: body === undefined
          ? { "X-API-Key": at.apiKey }
          : { "X-API-Key": at.apiKey, "Content-Type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      }
      const res = await fetch(`${at.origin}${path}`, init)
      const text = await res.text()
      if (!res.ok) throw new Error(`HTTP ${res.status} ${text.trim()}`)
      return text.trim().length === 0 ? undefined : JSON.parse(text) as unknown
    },
    catch: (cause) => fail("Api", `${method} ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, cause)
  }).pipe(
    Effect.timeoutFail({ duration: timeout, onTimeout: () => fail("Timeout", `${method} ${path} (${Duration.format(timeout)})`) })
  )

/**
 * Polls `check` every 50 ms until it holds. A failed request counts as "not yet" (and is named if
 * time runs out); `abort` (the process died) and any other failure end the wait at once.
 */
const until = (
  what: string,
  timeout: Duration.Duration,
  check: Effect.Effect<boolean, SyncthingError>,
  abort: Effect.Effect<void, SyncthingError> = Effect.void
) => {
  let last = ""
  const attempt = abort.pipe(
    Effect.zipRight(check),
    Effect.catchIf(
      (error) => error.reason === "Api" || error.reason === "Timeout",
      (error) => Effect.sync(() => (last = error.detail)).pipe(Effect.as(false))
    )
  )
  return attempt.pipe(
    Effect.repeat({ schedule: Schedule.spaced(Duration.millis(50)), until: (ok) => ok }),
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () => fail("Timeout", `${what} (${Duration.format(timeout)})${last === "" ? "" : `; last: ${last}`}`)
    }),
    Effect.asVoid,
    realTime
  )
}

const DbStatus = (value: unknown) => value as {
  readonly state: string
  readonly needTotalItems: number
  readonly pullErrors: number
  readonly globalFiles: number
  readonly globalDirectories: number
  readonly globalBytes: number
}

/**
 * Starts two instances sharing `folder.a` ↔ `folder.b`, connected and idle when it returns.
 *
 * @since 0.4.0
 * @category constructors
 */
export const pair = (
  options: PairOptions
): Effect.Effect<Pair, SyncthingError, FileSystem.FileSystem | CommandExecutor | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const executor = yield* Effect.context<CommandExecutor>()
    const timeout = Duration.decode(options.timeout ?? Duration.seconds(60))
    const folderId = options.folderId ?? "sessionport"
    const root = yield* fs.makeTempDirectoryScoped({ prefix: "syncthing-pair-" }).pipe(
      Effect.mapError((cause) => fail("Start", `temp dir: ${String(cause)}`, cause))
    )
    const sides: ReadonlyArray<Side> = ["a", "b"]
    const ports = yield* freePorts(2 * sides.length)

    const start = Effect.fn("Syncthing.start")(function*(side: Side, index: number) {
      const home = Path.join(root, side)
      const guiPort = ports[2 * index]!
      const syncPort = ports[2 * index + 1]!
      const apiKey = randomBytes(16).toString("hex")
      const env = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: home, STMONITORED: "1", STHASHING: "minio", STNOUPGRADE: "1" }

      const generated = yield* ChildRun.run(
        Command.make("syncthing", "generate", `--home=${home}`, "--no-default-folder", "--skip-port-probing").pipe(
          Command.env(env, { extendEnv: false })
        ),
        {
          timeout,
          onError: (cause) => fail("Missing", `cannot run syncthing: ${String(cause)}`, cause),
          onTimeout: () => fail("Timeout", `syncthing generate (${Duration.format(timeout)})`)
        }
      ).pipe(realTime, Effect.provide(executor))
      if (generated.exitCode !== 0) {
        return yield* fail("Start", `syncthing generate exited ${generated.exitCode}: ${generated.stderr.trim()}`)
      }
      const configFile = Path.join(home, "config.xml")
      const edited = configure(Fs.readFileSync(configFile, "utf8"), { guiPort, syncPort, apiKey })
      if ("missing" in edited) return yield* fail("Start", `config.xml edit did not land: ${edited.missing}`)
      Fs.writeFileSync(configFile, edited.xml)

      const child = yield* Effect.acquireRelease(
        Effect.try({
          try: () => {
            const log = Fs.openSync(Path.join(home, "syncthing.log"), "a")
            try {
              return ChildProcess.spawn(
                "syncthing",
                ["serve", `--home=${home}`, "--no-browser", "--no-restart", "--no-upgrade", "--logflags=3"],
                { env, stdio: ["ignore", log, log] }
              )
            } finally {
              Fs.closeSync(log)
            }
          },
          catch: (cause) => fail("Start", `spawn syncthing: ${String(cause)}`, cause)
        }),
        terminate
      )
      yield* Effect.async<void, SyncthingError>((resume) => {
        // spawn reports a missing binary asynchronously
        child.once("error", (cause) => resume(Effect.fail(fail("Missing", `cannot run syncthing: ${cause.message}`, cause))))
        child.once("spawn", () => resume(Effect.void))
      })
      const at = { origin: `http://127.0.0.1:${guiPort}`, apiKey }
      const alive = Effect.suspend(() =>
        exited(child) ? Effect.fail(fail("Start", `${side} exited (${child.exitCode ?? child.signalCode}): ${logTail(home)}`)) : Effect.void
      )
      yield* until(`${side}: REST API up`, timeout, request(at, "GET", "/rest/system/ping", timeout).pipe(Effect.as(true)), alive).pipe(
        Effect.catchTag("SyncthingError", (error) => Effect.fail(error.reason === "Timeout" ? fail("Start", `${error.detail}: ${logTail(home)}`) : error))
      )
      // the REST API can be up while the sync listener failed to bind (port taken meanwhile)
      const listen = `tcp://127.0.0.1:${syncPort}`
      const status = yield* until(
        `${side}: sync listener on ${listen}`,
        timeout,
        request(at, "GET", "/rest/system/status", timeout).pipe(
          Effect.flatMap((value) => {
            const service = (value as { readonly connectionServiceStatus?: Record<string, { readonly error: string | null }> })
              .connectionServiceStatus?.[listen]
            return service?.error != null
              ? Effect.fail(fail("Start", `${side}: cannot listen on ${listen}: ${service.error}`))
              : Effect.succeed(service !== undefined)
          })
        ),
        alive
      ).pipe(Effect.zipRight(request(at, "GET", "/rest/system/status", timeout)))
      const deviceId = (status as { readonly myID: string }).myID
      return {
        instance: { side, deviceId, folder: "", home, origin: at.origin, apiKey, pid: child.pid! },
        child,
        listen,
        alive
      }
    })

    const started = yield* Effect.all(sides.map((side, index) => start(side, index)), { concurrency: "unbounded" })
    const instances = Object.fromEntries(
      started.map(({ instance }) => [instance.side, { ...instance, folder: Path.resolve(options.folder[instance.side]) }])
    ) as Record<Side, Instance>
    const alive = Effect.all(started.map((s) => s.alive), { discard: true })
    const api = (side: Side, method: string, path: string, body?: unknown) => request(instances[side], method, path, timeout, body)
    const peers = (side: Side) => started.filter((s) => s.instance.side !== side)

    // introduce every device to the others, then wait until each sees each connected
    yield* Effect.forEach(started, ({ instance }) =>
      Effect.forEach(peers(instance.side), (peer) =>
        api(instance.side, "PUT", `/rest/config/devices/${peer.instance.deviceId}`, {
          deviceID: peer.instance.deviceId,
          name: peer.instance.side,
          addresses: [peer.listen]
        })))
    yield* Effect.forEach(sides, (side) =>
      Effect.forEach(peers(side), (peer) =>
        until(
          `${side} connected to ${peer.instance.side}`,
          timeout,
          api(side, "GET", "/rest/system/connections").pipe(
            Effect.map((value) =>
              (value as { readonly connections: Record<string, { readonly connected: boolean }> }).connections[peer.instance.deviceId]
                ?.connected === true
            )
          ),
          alive
        )))

    // same id, each side its own path; fields left out come from the instance's folder defaults
    yield* Effect.forEach(sides, (side) =>
      api(side, "PUT", `/rest/config/folders/${folderId}`, {
        id: folderId,
        label: folderId,
        path: instances[side].folder,
        type: "sendreceive",
        rescanIntervalS: 10,
        fsWatcherEnabled: true,
        fsWatcherDelayS: 1,
        devices: started.map((s) => ({ deviceID: s.instance.deviceId }))
      }))
    const status = (side: Side) => api(side, "GET", `/rest/db/status?folder=${folderId}`).pipe(Effect.map(DbStatus))
    yield* Effect.forEach(sides, (side) =>
      until(`${side}: folder idle`, timeout, status(side).pipe(Effect.map((s) => s.state === "idle")), alive))

    const scan = Effect.fn("Syncthing.scan")(function*(side: Side) {
      yield* api(side, "POST", `/rest/db/scan?folder=${folderId}`)
    })

    const inSync = Effect.gen(function*() {
      const statuses = yield* Effect.forEach(sides, status)
      const settled = statuses.every((s) => s.state === "idle" && s.needTotalItems === 0 && s.pullErrors === 0)
      if (!settled) return false
      const [first, ...rest] = statuses
      const agreed = rest.every((s) =>
        s.globalFiles === first!.globalFiles && s.globalDirectories === first!.globalDirectories && s.globalBytes === first!.globalBytes
      )
      if (!agreed) return false
      // right after a write only a scan makes the writer's view of its peer drop below 100
      const completions = yield* Effect.forEach(sides, (side) =>
        Effect.forEach(peers(side), (peer) =>
          api(side, "GET", `/rest/db/completion?folder=${folderId}&device=${peer.instance.deviceId}`).pipe(
            Effect.map((value) => {
              const c = value as { readonly completion: number; readonly needItems: number; readonly needDeletes: number }
              return c.completion === 100 && c.needItems === 0 && c.needDeletes === 0
            })
          )))
      return completions.flat().every(Boolean)
    })

    const settle = Effect.gen(function*() {
      yield* alive
      yield* Effect.forEach(sides, scan, { concurrency: "unbounded", discard: true })
      yield* until("both sides in sync", timeout, inSync, alive)
    }).pipe(Effect.withSpan("Syncthing.settle"))

    return {
      a: instances.a,
      b: instances.b,
      folderId,
      scan,
      settle,
      api: (side, method, path, body) => api(side, method, path, body),
      stop: Effect.forEach(started, ({ child }) => terminate(child), { concurrency: "unbounded", discard: true })
    } satisfies Pair
  })
