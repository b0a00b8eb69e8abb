import * as RewriteSurface from "@sessionport/package-format/RewriteSurface"

/** @internal How surface values are mapped; supplied by the engine from the plan. */
export interface Mappers {
  readonly path: (path: string) => string
  readonly fileUrl: (url: string) => string
  readonly threadId: (id: string) => string | undefined
  /** the new start time of the thread whose session_meta line this is */
  readonly timestamp: (line: Record<string, unknown>) => string | undefined
  /** a history_base offset moved into the rewritten parent; may throw */
  readonly byteOffset: (container: Record<string, unknown>, offset: number) => number | undefined
  /** every mapped path prefix in free text, with what changed; absent: text is left alone */
  readonly pathsInText?: ((text: string) => { readonly text: string; readonly changes: ReadonlyArray<{ readonly old: string; readonly new: string }> }) | undefined
  /** a path held as a map key (`[~]`), given its position among the keys; absent: `path` */
  readonly key?: ((key: string, index: number) => string) | undefined
}

/** @internal One change, located by a field path built from the walk. */
export interface Change {
  readonly field: string
  readonly old: string | number
  readonly new: string | number
}

type Container = Record<string, unknown> | Array<unknown>

type Edit =
  | { readonly _tag: "Set"; readonly container: Container; readonly key: string | number; readonly value: unknown }
  | { readonly _tag: "Rename"; readonly container: Record<string, unknown>; readonly from: string; readonly to: string }

interface Compiled {
  readonly entry: RewriteSurface.Entry
  readonly steps: ReadonlyArray<RewriteSurface.Step>
}

const JSON_MARK = Symbol("json")
type Segment = string | number | typeof JSON_MARK

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

const formatField = (trail: ReadonlyArray<Segment>, suffix = ""): string => {
  let out = ""
  for (const s of trail) {
    if (s === JSON_MARK) out += "@json"
    else if (typeof s === "number") out += `[${s}]`
    else out += IDENTIFIER.test(s) ? (out === "" ? s : `.${s}`) : `[${JSON.stringify(s)}]`
  }
  return out + suffix
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const ENVIRONMENT_BLOCK = /<environment_context>[\s\S]*?<\/environment_context>/g
const WRITABLE_ROOTS_LINE = /(The writable roots are )([^\n]*)/g
const BACKTICKED = /`([^`]+)`/g

const ENVIRONMENT_VALUE = /<(cwd|root|path)>([^<]*)<\/\1>|(Current working directory: )([^\n<]*)/g

/** @internal The surface compiled once: entries by line type, then by payload type; type `*`: every line. */
export class Surface {
  private readonly byType = new Map<string, { any: Array<Compiled>; byPayload: Map<string, Array<Compiled>> }>()
  private readonly everyLine: Array<Compiled> = []

  constructor(entries: ReadonlyArray<RewriteSurface.Entry>) {
    for (const entry of entries) {
      const compiled = { entry, steps: RewriteSurface.parseField(entry.field) }
      if (entry.type === RewriteSurface.EVERY_TYPE) {
        this.everyLine.push(compiled)
        continue
      }
      let slot = this.byType.get(entry.type)
      if (slot === undefined) this.byType.set(entry.type, slot = { any: [], byPayload: new Map() })
      if (entry.payloadType === undefined) slot.any.push(compiled)
      else slot.byPayload.set(entry.payloadType, [...(slot.byPayload.get(entry.payloadType) ?? []), compiled])
    }
    // entries for every line first, then for any payload type, then the payload type's own, in surface order
    for (const slot of this.byType.values()) {
      slot.any = [...this.everyLine, ...slot.any]
      for (const [payloadType, own] of slot.byPayload) slot.byPayload.set(payloadType, [...slot.any, ...own])
    }
  }

  /** The entries that apply to a line of this type and payload type. */
  entriesFor(type: unknown, payloadType: unknown): ReadonlyArray<Compiled> {
    const slot = typeof type === "string" ? this.byType.get(type) : undefined
    if (slot === undefined) return typeof type === "string" ? this.everyLine : []
    return (typeof payloadType === "string" ? slot.byPayload.get(payloadType) : undefined) ?? slot.any
  }
}

/**
 * @internal Finds what changes on one line. Every value is computed against the line as it was
 * read; the edits are applied afterwards, together.
 */
export class LineWalker {
  private edits: Array<Edit> = []
  readonly changes: Array<Change> = []
  private readonly trail: Array<Segment> = []
  private root: Record<string, unknown> = {}
  private kind: RewriteSurface.Kind = "path"
  private whole = false

  constructor(private readonly mappers: Mappers) {}

  /** Collects the edits of every entry on a line; answers whether there are any. */
  collect(line: Record<string, unknown>, entries: ReadonlyArray<Compiled>): boolean {
    this.edits = []
    this.changes.length = 0
    this.root = line
    for (const { entry, steps } of entries) {
      this.kind = entry.holds
      this.whole = entry.whole === true
      this.walk(line, steps, 0, undefined, undefined)
    }
    return this.edits.length > 0
  }

  /**
   * How much longer the line's JSON text gets through the collected edits (call before `apply`):
   * with it, a re-serialized line whose length is not the original's plus this was not written
   * the way `JSON.stringify` writes it.
   */
  lengthDelta(): number {
    let delta = 0
    for (const edit of this.edits) {
      if (edit._tag === "Set") {
        const old = (edit.container as Record<string | number, unknown>)[edit.key]
        delta += JSON.stringify(edit.value).length - JSON.stringify(old).length
      } else {
        delta += JSON.stringify(edit.to).length - JSON.stringify(edit.from).length
      }
    }
    return delta
  }

  /** Applies the collected edits to the line. */
  apply(): void {
    applyEdits(this.edits)
  }

  /**
   * Lets go of the line (its parsed value, the edits): an engine outlives its lines, and a parsed
   * line kept to the next one can outlive a garbage collection or two, which teaches V8 to
   * allocate every parsed line in the old generation.
   */
  release(): void {
    this.edits = []
    this.root = {}
  }

  private walk(
    node: unknown,
    steps: ReadonlyArray<RewriteSurface.Step>,
    i: number,
    parent: Container | undefined,
    key: string | number | undefined
  ): void {
    if (i === steps.length) {
      if (parent !== undefined) this.visit(parent, key!, node)
      return
    }
    const step = steps[i]!
    const trail = this.trail
    switch (step._tag) {
      case "Key": {
        if (!isObject(node) || !Object.hasOwn(node, step.key)) return
        trail.push(step.key)
        this.walk(node[step.key], steps, i + 1, node, step.key)
        trail.pop()
        return
      }
      case "Each": {
        if (Array.isArray(node)) {
          for (let n = 0; n < node.length; n++) {
            trail.push(n)
            this.walk(node[n], steps, i + 1, node, n)
            trail.pop()
          }
        } else if (isObject(node)) {
          for (const k of Object.keys(node)) {
            trail.push(k)
            this.walk(node[k], steps, i + 1, node, k)
            trail.pop()
          }
        }
        return
      }
      case "Keys": {
        if (!isObject(node) || this.kind !== "path") return
        const { key: mapKey, path: mapPath } = this.mappers
        let index = 0
        for (const k of Object.keys(node)) {
          const mapped = mapKey === undefined ? mapPath(k) : mapKey(k, index++)
          if (mapped !== k) {
            this.edits.push({ _tag: "Rename", container: node, from: k, to: mapped })
            trail.push(k)
            this.changes.push({ field: formatField(trail), old: k, new: mapped })
            trail.pop()
          }
        }
        return
      }
      case "Where": {
        if (isObject(node) && node[step.key] === step.equals) this.walk(node, steps, i + 1, parent, key)
        return
      }
      case "Json": {
        if (typeof node === "string" && parent !== undefined) this.json(node, steps, i + 1, parent, key!)
        return
      }
    }
  }

  private set(container: Container, key: string | number, old: string | number, value: string | number, suffix = "") {
    this.edits.push({ _tag: "Set", container, key, value })
    this.changes.push({ field: formatField(this.trail, suffix), old, new: value })
  }

  private visit(parent: Container, key: string | number, value: unknown): void {
    const m = this.mappers
    switch (this.kind) {
      case "path": {
        if (typeof value !== "string") return
        const mapped = m.path(value)
        if (mapped !== value) this.set(parent, key, value, mapped)
        return
      }
      case "path-list": {
        if (!Array.isArray(value)) return
        for (let n = 0; n < value.length; n++) {
          const item = value[n]
          if (typeof item !== "string") continue
          const mapped = m.path(item)
          if (mapped === item) continue
          this.trail.push(n)
          this.set(value, n, item, mapped)
          this.trail.pop()
        }
        return
      }
      case "file-url": {
        if (typeof value !== "string") return
        const mapped = /^file:/i.test(value) ? m.fileUrl(value) : m.path(value)
        if (mapped !== value) this.set(parent, key, value, mapped)
        return
      }
      case "thread-id": {
        if (typeof value !== "string") return
        const mapped = m.threadId(value)
        if (mapped !== undefined && mapped !== value) this.set(parent, key, value, mapped)
        return
      }
      case "timestamp": {
        if (typeof value !== "string") return
        const mapped = m.timestamp(this.root)
        if (mapped !== undefined && mapped !== value) this.set(parent, key, value, mapped)
        return
      }
      case "byte-offset": {
        if (typeof value !== "number" || !isObject(parent)) return
        const mapped = m.byteOffset(parent, value)
        if (mapped !== undefined && mapped !== value) this.set(parent, key, value, mapped)
        return
      }
      case "text-with-cwd": {
        if (typeof value !== "string") return
        this.text(parent, key, value)
        return
      }
      case "text-with-writable-roots": {
        if (typeof value !== "string" || !value.includes("<permissions instructions>")) return
        this.writableRoots(parent, key, value)
        return
      }
      case "text-with-paths": {
        if (typeof value !== "string" || m.pathsInText === undefined) return
        const mapped = m.pathsInText(value)
        if (mapped.changes.length === 0) return
        this.edits.push({ _tag: "Set", container: parent, key, value: mapped.text })
        const field = formatField(this.trail)
        for (const change of mapped.changes) this.changes.push({ field: `${field}<text>`, old: change.old, new: change.new })
        return
      }
    }
  }

  private text(parent: Container, key: string | number, text: string): void {
    const found: Array<Change> = []
    const field = formatField(this.trail)
    const values = (fragment: string) =>
      fragment.replace(ENVIRONMENT_VALUE, (all, tag: string | undefined, value: string | undefined, label: string | undefined, legacy: string | undefined) => {
        const old = tag !== undefined ? value! : legacy!
        const mapped = this.mappers.path(old)
        if (mapped === old) return all
        found.push({ field: `${field}<${tag ?? "Current working directory"}>`, old, new: mapped })
        return tag !== undefined ? `<${tag}>${mapped}</${tag}>` : `${label}${mapped}`
      })
    let out: string
    if (this.whole) out = values(text)
    else if (!text.includes("<environment_context>")) return
    else out = text.replace(ENVIRONMENT_BLOCK, values)
    if (found.length === 0) return
    this.edits.push({ _tag: "Set", container: parent, key, value: out })
    for (const change of found) this.changes.push(change)
  }

  private writableRoots(parent: Container, key: string | number, text: string): void {
    const found: Array<Change> = []
    const field = formatField(this.trail)
    const out = text.replace(WRITABLE_ROOTS_LINE, (_all, label: string, list: string) =>
      label + list.replace(BACKTICKED, (quoted, old: string) => {
        const mapped = this.mappers.path(old)
        if (mapped === old) return quoted
        found.push({ field: `${field}<writable roots>`, old, new: mapped })
        return `\`${mapped}\``
      }))
    if (found.length === 0) return
    this.edits.push({ _tag: "Set", container: parent, key, value: out })
    for (const change of found) this.changes.push(change)
  }

  /** A string holding JSON: walk inside it; when something changes, write the string back. */
  private json(text: string, steps: ReadonlyArray<RewriteSurface.Step>, i: number, parent: Container, key: string | number) {
    let inner: unknown
    try {
      inner = JSON.parse(text)
    } catch {
      return
    }
    if (typeof inner !== "object" || inner === null) return
    const outer = this.edits
    this.edits = []
    this.trail.push(JSON_MARK)
    this.walk(inner, steps, i, undefined, undefined)
    this.trail.pop()
    const edits = this.edits
    this.edits = outer
    if (edits.length === 0) return
    const spliced = splice(text, inner, edits)
    applyEdits(edits)
    this.edits.push({ _tag: "Set", container: parent, key, value: spliced ?? JSON.stringify(inner) })
  }
}

/**
 * Replaces top-level string values in JSON text without re-serializing it, so the rest of the
 * text (spacing, key order, escapes) stays as it was; undefined when that cannot be done safely.
 */
const splice = (text: string, inner: object, edits: ReadonlyArray<Edit>): string | undefined => {
  let out = text
  for (const edit of edits) {
    if (edit._tag !== "Set" || edit.container !== inner || typeof edit.key !== "string") return undefined
    const old = (inner as Record<string, unknown>)[edit.key]
    if (typeof old !== "string") return undefined
    const name = JSON.stringify(edit.key)
    const forms = [`${name}:${JSON.stringify(old)}`, `${name}: ${JSON.stringify(old)}`]
    const hits = forms.map((form) => [form, count(out, form)] as const).filter(([, n]) => n > 0)
    if (hits.length !== 1 || hits[0]![1] !== 1) return undefined
    const form = hits[0]![0]
    const at = out.indexOf(form)
    const replacement = form.slice(0, form.length - JSON.stringify(old).length) + JSON.stringify(edit.value)
    out = out.slice(0, at) + replacement + out.slice(at + form.length)
  }
  return out
}

const count = (text: string, needle: string): number => {
  let n = 0
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) n++
  return n
}

const applyEdits = (edits: ReadonlyArray<Edit>): void => {
  let renames: Map<Record<string, unknown>, Map<string, string>> | undefined
  for (const edit of edits) {
    if (edit._tag === "Set") (edit.container as Record<string | number, unknown>)[edit.key] = edit.value
    else {
      renames ??= new Map()
      let forContainer = renames.get(edit.container)
      if (forContainer === undefined) renames.set(edit.container, forContainer = new Map())
      forContainer.set(edit.from, edit.to)
    }
  }
  if (renames === undefined) return
  for (const [container, names] of renames) {
    // rebuild in the same key order; two old keys mapped to one new key keep the first value
    const pairs = Object.entries(container)
    for (const [k] of pairs) delete container[k]
    for (const [k, v] of pairs) {
      const name = names.get(k) ?? k
      if (!Object.hasOwn(container, name)) container[name] = v
    }
  }
}
