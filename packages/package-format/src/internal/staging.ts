/**
 * The verified files of a `.tgz` written out as they stream past the verifier (one pass: inflate,
 * check, hash and unpack together). Small synchronous writes into a fresh private folder: the
 * bytes land in the page cache, the installer reads them back from there, and nothing is made
 * durable (the folder is temporary; the installer's own writes are the durable ones).
 */
import * as fs from "node:fs"
import * as Path from "node:path"

/** One file being staged. */
export interface StagedFile {
  readonly write: (bytes: Uint8Array) => void
  readonly close: () => void
}

/** A folder (created on first use, which must not exist before) that files are staged into. */
export class Staging {
  private readonly folders = new Set<string>()

  constructor(readonly root: string) {}

  /** Opens `name` (a checked, `/`-separated entry name) for writing; it must not exist yet. */
  open(name: string): StagedFile {
    const target = Path.join(this.root, ...name.split("/"))
    this.folder(Path.dirname(target))
    // "wx": never write through anything already there
    const fd = fs.openSync(target, "wx", 0o644)
    let open = true
    return {
      write: (bytes) => {
        for (let at = 0; at < bytes.byteLength;) at += fs.writeSync(fd, bytes, at, bytes.byteLength - at)
      },
      close: () => {
        if (!open) return
        open = false
        fs.closeSync(fd)
      }
    }
  }

  /** A folder entry of the archive. */
  folder(dir: string): void {
    if (this.folders.has(dir)) return
    if (this.folders.size === 0) fs.mkdirSync(this.root, { mode: 0o700 })
    this.folders.add(this.root)
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 })
    this.folders.add(dir)
  }

  /** The staged folder (made even when the archive held no file). */
  done(): string {
    this.folder(this.root)
    return this.root
  }
}
