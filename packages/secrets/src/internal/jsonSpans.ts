/**
 * Where the string values at given JSON paths are in a JSON text: the offsets of their tokens
 * (quotes included). Redaction replaces just those tokens, so a redacted record is its original
 * text but for the edited strings: key order (integer-like keys too, which `JSON.parse` would
 * move first), number spelling (`1.0`, integers beyond 2^53) and the escapes of other strings
 * stay as they were. A duplicate key's last occurrence is the one found, as `JSON.parse` takes it.
 */

export type Span = readonly [start: number, end: number]

/** a path as a map key */
export const pathKey = (path: ReadonlyArray<string | number>): string => JSON.stringify(path)

class Walker {
  at = 0
  private readonly path: Array<string | number> = []
  readonly spans = new Map<string, Span>()

  constructor(private readonly text: string, private readonly wanted: ReadonlySet<string>) {}

  private space(): void {
    while (this.at < this.text.length && " \t\r\n".includes(this.text[this.at]!)) this.at++
  }

  private fail(): never {
    throw new SyntaxError(`not JSON at ${this.at}`)
  }

  /** a string token from `at` (a quote): its end */
  private string(): number {
    const start = this.at
    if (this.text[start] !== "\"") this.fail()
    let i = start + 1
    for (;;) {
      const char = this.text[i]
      if (char === undefined) this.fail()
      if (char === "\\") i += 2
      else if (char === "\"") return i + 1
      else i++
    }
  }

  value(): void {
    this.space()
    const char = this.text[this.at]
    if (char === "{") {
      this.at++
      this.space()
      if (this.text[this.at] === "}") {
        this.at++
        return
      }
      for (;;) {
        this.space()
        const keyStart = this.at
        this.at = this.string()
        this.path.push(JSON.parse(this.text.slice(keyStart, this.at)) as string)
        this.space()
        if (this.text[this.at++] !== ":") this.fail()
        this.value()
        this.path.pop()
        this.space()
        const next = this.text[this.at++]
        if (next === "}") return
        if (next !== ",") this.fail()
      }
    }
    if (char === "[") {
      this.at++
      this.space()
      if (this.text[this.at] === "]") {
        this.at++
        return
      }
      for (let index = 0;; index++) {
        this.path.push(index)
        this.value()
        this.path.pop()
        this.space()
        const next = this.text[this.at++]
        if (next === "]") return
        if (next !== ",") this.fail()
      }
    }
    if (char === "\"") {
      const start = this.at
      this.at = this.string()
      const key = pathKey(this.path)
      if (this.wanted.has(key)) this.spans.set(key, [start, this.at])
      return
    }
    // a number, true, false, null
    const start = this.at
    while (this.at < this.text.length && !",]} \t\r\n".includes(this.text[this.at]!)) this.at++
    if (this.at === start) this.fail()
  }
}

/** The spans of the string tokens at `paths` (path keys) in `text`; throws on text that is not JSON. */
export const stringSpans = (text: string, paths: ReadonlySet<string>): ReadonlyMap<string, Span> => {
  const walker = new Walker(text, paths)
  walker.value()
  return walker.spans
}
