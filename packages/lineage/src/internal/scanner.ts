// needles opening with a byte that is rare in JSON text are found fastest one by one (memchr);
// the rest, together, by one regular expression over the chunk read as Latin-1 (a byte a char)
const RARE_FIRST = new Set(["<", "\\"])

const escape = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")

/** A needle list made ready for searching: built once per list, shared by every scanner of it. */
interface Compiled {
  readonly single: ReadonlyArray<Buffer>
  /** shared: every search sets its `lastIndex` before it runs */
  readonly together: RegExp | undefined
}

const compiled = new WeakMap<ReadonlyArray<string>, Compiled>()

const compile = (needles: ReadonlyArray<string>): Compiled => {
  let found = compiled.get(needles)
  if (found === undefined) {
    const rest = needles.filter((needle) => !RARE_FIRST.has(needle[0]!))
    found = {
      single: needles.filter((needle) => RARE_FIRST.has(needle[0]!)).map((needle) => Buffer.from(needle, "latin1")),
      together: rest.length === 0 ? undefined : new RegExp(rest.map(escape).join("|"), "g")
    }
    compiled.set(needles, found)
  }
  return found
}

/**
 * @internal Whether each line of a chunk holds one of a few ASCII strings, without a search per
 * line: the next occurrence of each needle is found once and kept until the lines pass it, so a
 * chunk is searched about once per needle, however many lines it has. Needles must not hold `\n`.
 * A list of needles is compiled once (keep the same array for every scanner of it).
 */
export class NeedleScanner {
  private readonly single: ReadonlyArray<Buffer>
  private readonly next: Array<number>
  private readonly together: RegExp | undefined
  private nextTogether = -1
  private chunk: Buffer = Buffer.alloc(0)
  private text = ""

  constructor(needles: ReadonlyArray<string>) {
    const { single, together } = compile(needles)
    this.single = single
    this.next = single.map(() => -1)
    this.together = together
  }

  /** Starts on a new chunk. */
  reset(chunk: Buffer): void {
    this.chunk = chunk
    this.text = this.together === undefined ? "" : chunk.toString("latin1")
    this.next.fill(-1)
    this.nextTogether = -1
  }

  /** Whether `chunk[start, end)` holds a needle; ask for lines in order. */
  holds(start: number, end: number): boolean {
    const { chunk, next, single, together } = this
    for (let i = 0; i < single.length; i++) {
      let at = next[i]!
      if (at < start) {
        at = chunk.indexOf(single[i]!, start)
        // none left in the chunk: -1 would read as "here"
        if (at === -1) at = Infinity
        next[i] = at
      }
      if (at < end) return true
    }
    if (together !== undefined && this.nextTogether < start) {
      together.lastIndex = start
      this.nextTogether = together.exec(this.text)?.index ?? Infinity
    }
    return this.nextTogether < end
  }
}

const isAsciiSpace = (byte: number): boolean => byte === 32 || (byte >= 9 && byte <= 13)

/** @internal Whether `bytes[start, end)` is blank as `String.prototype.trim` sees it. */
export const isBlank = (bytes: Buffer, start: number, end: number): boolean => {
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!
    if (isAsciiSpace(byte)) continue
    // beyond ASCII: a space of another kind (NBSP, U+2028, a byte order mark, …) is trimmed too
    return byte < 0x80 ? false : bytes.toString("utf8", start, end).trim().length === 0
  }
  return true
}
