/**
 * The verified files of a `.tgz` written out as they stream past the verifier (one pass: inflate,
 * check, hash and unpack together) into a fresh private folder. The folders, opens, writes and
 * closes run in libuv's threadpool behind the verifier (a few files and 8 MB at most in flight),
 * so they overlap with the hashing and scanning on the main thread. Nothing is made durable: the
 * folder is temporary, the installer reads it back from the page cache and makes its own writes
 * durable.
 */
import * as fs from "node:fs"
import * as Path from "node:path"

/** bytes handed to writes that have not finished, at most */
const BYTES_IN_FLIGHT = 8 * 1024 * 1024
/** files being written at once, at most */
const FILES_IN_FLIGHT = 16

/** One file being staged. */
export interface StagedFile {
  /** queues `bytes` (which must stay unchanged until written); resolves when there is room for more */
  readonly write: (bytes: Uint8Array) => Promise<void> | undefined
  /** no more bytes: the file is closed once written */
  readonly close: () => Promise<void> | undefined
}

/** A folder (which must not exist before; created on first use) that files are staged into. */
export class Staging {
  private readonly folders = new Map<string, Promise<void>>()
  private readonly files = new Set<Promise<void>>()
  /** ends each file still open (a refused package) */
  private readonly enders = new Set<() => void>()
  private buffered = 0
  private failure: unknown = undefined
  private waiting: Array<() => void> = []

  constructor(readonly root: string) {}

  /** Creates the (empty) root now, failing when it exists. */
  start(): Promise<void> {
    return this.folder(this.root)
  }

  /** A folder entry of the archive (`/`-separated, checked): made behind the verifier. */
  addFolder(name: string): void {
    this.check()
    this.folder(Path.join(this.root, ...name.split("/"))).catch((error) => this.fail(error))
  }

  /** A folder, created (with the folders above it up to the root) once. */
  private folder(dir: string): Promise<void> {
    let made = this.folders.get(dir)
    if (made !== undefined) return made
    made = dir === this.root
      ? fs.promises.mkdir(dir, { mode: 0o700 })
      : this.folder(Path.dirname(dir)).then(() => fs.promises.mkdir(dir, { mode: 0o755 }).catch((error) => {
        // a folder entry of the archive after a file below it made it
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
      }))
    this.folders.set(dir, made)
    return made
  }

  /** Opens `name` (a checked, `/`-separated entry name) for writing; it must not exist yet. */
  open(name: string): StagedFile {
    const target = Path.join(this.root, ...name.split("/"))
    const queue: Array<Uint8Array> = []
    let ended = false
    let wake: (() => void) | undefined
    const next = () => new Promise<void>((resolve) => (wake = resolve))
    const written = (async () => {
      await this.folder(Path.dirname(target))
      // "wx": never write through anything already there
      const handle = await fs.promises.open(target, "wx", 0o644)
      try {
        for (;;) {
          if (queue.length > 0) {
            const buffers = queue.splice(0, queue.length)
            const total = buffers.reduce((n, b) => n + b.byteLength, 0)
            await handle.writev(buffers)
            this.release(total)
          } else if (ended) break
          else await next()
        }
      } finally {
        await handle.close()
      }
    })().catch((error) => {
      this.release(queue.reduce((n, b) => n + b.byteLength, 0))
      queue.length = 0
      this.fail(error)
    })
    const poke = () => {
      const w = wake
      wake = undefined
      w?.()
    }
    const end = () => {
      ended = true
      poke()
    }
    this.files.add(written)
    this.enders.add(end)
    void written.then(() => {
      this.files.delete(written)
      this.enders.delete(end)
      this.wakeAll()
    })
    return {
      write: (bytes) => {
        this.check()
        queue.push(bytes)
        this.buffered += bytes.byteLength
        poke()
        return this.buffered > BYTES_IN_FLIGHT ? this.until(() => this.buffered <= BYTES_IN_FLIGHT) : undefined
      },
      close: () => {
        end()
        return this.files.size > FILES_IN_FLIGHT ? this.until(() => this.files.size <= FILES_IN_FLIGHT) : undefined
      }
    }
  }

  /** Every file staged: the folder that holds them (made even when the archive held no file). */
  async done(): Promise<string> {
    await this.folder(this.root)
    while (this.files.size > 0) await Promise.all([...this.files])
    this.check()
    return this.root
  }

  /** Ends every file and waits for what is under way (a refused package: the caller removes the folder). */
  async settle(): Promise<void> {
    for (const end of this.enders) end()
    await Promise.allSettled([...this.folders.values()])
    while (this.files.size > 0) await Promise.all([...this.files])
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure
  }

  private fail(error: unknown): void {
    this.failure ??= error
    this.wakeAll()
  }

  private release(bytes: number): void {
    this.buffered -= bytes
    this.wakeAll()
  }

  private wakeAll(): void {
    const waiting = this.waiting
    this.waiting = []
    for (const resolve of waiting) resolve()
  }

  private async until(room: () => boolean): Promise<void> {
    while (!room() && this.failure === undefined) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.check()
  }
}
