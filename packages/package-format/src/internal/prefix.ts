/**
 * How an archive holds a package: its files at the top (`README.md`, what our writer makes),
 * each under `./` (`tar czf x.tgz -C pkg .`), under one top folder (`tar czf x.tgz pkg`), or
 * both (`tar czf x.tgz ./pkg`). The first entry fixes the form for the whole archive, and every
 * later entry must follow it. A raw name that could escape (NUL, backslash, absolute, `..`) is
 * refused before anything is stripped; the stripped name then passes the full name checks.
 *
 * macOS tar writes an AppleDouble file `._X` next to each file `X` with extended attributes. In an
 * archive with a prefix (which our writer never makes), one next to a layout name is skipped: its
 * bytes are read past under the limits, never unpacked. Without a prefix nothing changes.
 */
import { AGENTS_DIR, knownFiles, SESSIONS_DIR, SKILLS_DIR } from "../Layout.js"
import { classifyFile, escapeReason, folderRefusal, unsafeReason } from "./entries.js"

/** What one entry is once the archive's prefix is taken off. */
export type Judged =
  /** the wrapping folder itself (`./`, `pkg/`): skipped, not staged */
  | { readonly _tag: "Root" }
  | { readonly _tag: "Entry"; readonly name: string }
  /** a macOS AppleDouble file next to a layout name: read past, never unpacked */
  | { readonly _tag: "AppleDouble"; readonly name: string }
  | {
    readonly _tag: "Refused"
    readonly reason: "unsafe_entry" | "unexpected_file" | "duplicate_entry"
    readonly detail: string
    /** the raw entry to blame when it is not the one judged (an earlier one) */
    readonly entry?: string
  }

/** Entry name as judged: tar marks folders with one trailing slash. */
export const entryName = (name: string, type: string): string => type === "directory" && name.endsWith("/") ? name.slice(0, -1) : name

/** The names a package holds at its top: a folder named so is part of the package, never its wrapper. */
const topNames: ReadonlySet<string> = new Set([...knownFiles.map((file) => file.split("/")[0]!), SESSIONS_DIR, SKILLS_DIR, AGENTS_DIR])

const ONE_FORM = "a package archive holds the package's files, or one folder holding them"

/** The hint for an archive of a folder that still fails: what makes the archive a package. */
export const WRAPPED_HINT = "archive the folder's contents: tar czf x.tgz -C DIR ."

const isLayoutName = (name: string) => "kind" in classifyFile(name) || folderRefusal(name) === undefined

const refused = (reason: "unsafe_entry" | "unexpected_file" | "duplicate_entry", detail: string, entry?: string): Judged => ({
  _tag: "Refused",
  reason,
  detail,
  ...(entry === undefined ? {} : { entry })
})

/**
 * Judges an archive's entries one at a time, in order (one instance per pass). `detect` learns
 * the prefix from the first entry; `fixed` requires a known one (a second pass); `none` is a
 * folder package's clean names, judged as they are.
 */
export class ArchivePrefix {
  /** `undefined` until the first entry */
  private dot: boolean | undefined
  /** the top folder; `undefined` when there is none */
  private wrapper: string | undefined
  private decided: boolean
  private rootSeen = false
  /** top-level `._X` seen before the wrapper was known: allowed only if `X` turns out to be it */
  private readonly pending: Array<{ readonly raw: string; readonly of: string }> = []
  /** whether the first entry other than a root is a folder outside the layout (`./pkg/`, `outer/pkg/`) */
  private firstFolder: boolean | undefined

  private constructor(prefix: string | undefined, private readonly appleDouble: boolean) {
    this.decided = prefix !== undefined
    if (prefix !== undefined) {
      this.dot = prefix.startsWith("./")
      const rest = this.dot ? prefix.slice(2) : prefix
      this.wrapper = rest === "" ? undefined : rest.slice(0, -1)
    }
  }

  static detect(): ArchivePrefix {
    return new ArchivePrefix(undefined, true)
  }

  /** Requires `prefix` (a {@link ArchivePrefix.prefix} of an earlier pass) on every entry. */
  static fixed(prefix: string): ArchivePrefix {
    return new ArchivePrefix(prefix, true)
  }

  /** A folder package: names are clean, judged as they are, nothing skipped. */
  static none(): ArchivePrefix {
    const none = new ArchivePrefix("", false)
    none.firstFolder = false
    return none
  }

  /** What is stripped from every entry: `""`, `"./"`, `"pkg/"` or `"./pkg/"`. */
  get prefix(): string {
    return (this.dot === true ? "./" : "") + (this.wrapper === undefined ? "" : `${this.wrapper}/`)
  }

  /** The hint a refusal deserves when the archive looks like an archived folder: a wrapper, or a first folder outside the layout. */
  get hint(): string | undefined {
    return this.wrapper !== undefined || this.firstFolder === true ? WRAPPED_HINT : undefined
  }

  /** Judges one file or folder entry (other types are refused before). */
  judge(rawName: string, type: "file" | "directory"): Judged {
    const name = entryName(rawName, type)
    // before anything is stripped: `./../x` and `pkg/../x` never get the chance to look harmless
    const escape = escapeReason(name)
    if (escape !== undefined) return refused("unsafe_entry", escape)
    if (this.dot === undefined) this.dot = name === "." || name.startsWith("./")

    let rest: string
    if (this.dot) {
      if (name !== "." && !name.startsWith("./")) return refused("unsafe_entry", "not under ./ like the archive's first entry")
      rest = name === "." ? "" : name.slice(2)
    } else {
      if (name === "." || name.startsWith("./")) return refused("unsafe_entry", "path is not normalized")
      rest = name
    }

    if (!this.decided) {
      const of = this.appleDouble && type === "file" && !rest.includes("/") && rest.startsWith("._") ? rest.slice(2) : undefined
      if (of !== undefined && of !== "" && !topNames.has(of)) {
        // macOS tar may write the wrapper's `._pkg` before `pkg/`: the next entry tells
        this.pending.push({ raw: name, of })
        return { _tag: "AppleDouble", name: rest }
      }
      this.decided = true
      const segments = rest.split("/")
      const head = segments[0]!
      if (head !== "" && head !== "." && !topNames.has(head) && (type === "directory" || segments.length >= 2)) this.wrapper = head
      const stray = this.strayPending()
      if (stray !== undefined) return stray
    }

    let stripped: string
    const wrapper = this.wrapper
    if (wrapper === undefined) {
      if (rest === "" && this.dot) return this.root(type, "path is not normalized")
      stripped = rest
    } else if (rest === wrapper) {
      return this.root(type, `a file named like the archive's top folder ${wrapper}/: ${ONE_FORM}`)
    } else if (rest.startsWith(`${wrapper}/`)) {
      stripped = rest.slice(wrapper.length + 1)
    } else if (this.appleDouble && type === "file" && rest === `._${wrapper}`) {
      return { _tag: "AppleDouble", name: rest }
    } else {
      const head = rest.split("/")[0]!
      return refused(
        "unexpected_file",
        rest !== "" && (type === "directory" || rest.includes("/"))
          ? `the archive holds two top-level folders (${wrapper}/, ${head}/): ${ONE_FORM}`
          : `outside the archive's top folder ${wrapper}/: ${ONE_FORM}`
      )
    }

    const unsafe = unsafeReason(stripped)
    if (unsafe !== undefined) return refused("unsafe_entry", unsafe)
    if (this.firstFolder === undefined) {
      // our own archives begin with a layout folder (`sessions/`): only one outside the layout tells
      this.firstFolder = type === "directory" && folderRefusal(stripped) !== undefined
    }
    if (this.appleDouble && type === "file" && this.prefix !== "") {
      const slash = stripped.lastIndexOf("/")
      const base = stripped.slice(slash + 1)
      const of = stripped.slice(0, slash + 1) + base.slice(2)
      if (base.startsWith("._") && base.length > 2 && (isLayoutName(of) || (this.dot && of === "."))) {
        return { _tag: "AppleDouble", name: stripped }
      }
    }
    return { _tag: "Entry", name: stripped }
  }

  /** Once the archive ended: a `._X` of no entry's `X` (the archive had nothing else) is refused. */
  finish(): Judged | undefined {
    this.decided = true
    return this.strayPending()
  }

  private strayPending(): Judged | undefined {
    const stray = this.pending.find((entry) => entry.of !== this.wrapper)
    this.pending.length = 0
    return stray === undefined ? undefined : refused("unexpected_file", "not part of the package layout", stray.raw)
  }

  /** The root folder entry, once; `fileDetail`: why a file of that name is refused. */
  private root(type: "file" | "directory", fileDetail: string): Judged {
    if (type === "file") return refused(this.wrapper === undefined ? "unsafe_entry" : "unexpected_file", fileDetail)
    if (this.rootSeen) return refused("duplicate_entry", "appears twice")
    this.rootSeen = true
    return { _tag: "Root" }
  }
}
