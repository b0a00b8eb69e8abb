/**
 * A JSONL record as what is scanned: its decoded string values (escapes undone, so `\n` and
 * `\u002b` hide nothing), each with its JSON path, minus the values the agent's fields say are
 * never scanned, and with the `kept` reason of those that must not be redacted.
 */
import { type AgentFields, MIN_STRING, type ObjectRule } from "./fields.js"
import { SECRET_NAME } from "./rules/secretAssignment.js"

export type Path = ReadonlyArray<string | number>

export interface Segment {
  readonly path: Path
  readonly text: string
  readonly kept?: string
  /** the key the value is under, when it says secret (`password`): scanned as `key: "value"` */
  readonly label?: string
}

type Pattern = ReadonlyArray<string>

const compile = (dotted: string): Pattern => dotted.split(".")

interface CompiledRule {
  readonly opaque: ReadonlyArray<Pattern>
  readonly signedBy: ReadonlyArray<Pattern>
  readonly kept: ReadonlyArray<Pattern>
  readonly reason: string | undefined
}

/** An agent's fields, ready for {@link segments}. */
export interface Compiled {
  /** by last key: patterns matched against the end of a path */
  readonly never: ReadonlyMap<string, ReadonlyArray<Pattern>>
  readonly objects: ReadonlyMap<string, CompiledRule>
  readonly embedded: ReadonlySet<string>
}

export const compileFields = (fields: AgentFields): Compiled => {
  const never = new Map<string, Array<Pattern>>()
  for (const dotted of fields.never) {
    const pattern = compile(dotted)
    const last = pattern.at(-1)!
    never.set(last, [...(never.get(last) ?? []), pattern])
  }
  const objects = new Map<string, CompiledRule>(
    fields.objects.map((rule: ObjectRule) => [rule.type, {
      opaque: (rule.opaque ?? []).map(compile),
      signedBy: (rule.signedBy ?? []).map(compile),
      kept: (rule.kept ?? []).map(compile),
      reason: rule.reason
    }])
  )
  return { never, objects, embedded: new Set(fields.embedded ?? []) }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null

/** the values at a relative pattern (`*` any key) under `value` */
const valuesAt = (value: unknown, pattern: Pattern, from = 0): Array<unknown> => {
  if (from === pattern.length) return [value]
  if (!isObject(value)) return []
  const key = pattern[from]!
  const children = key === "*" ? Object.values(value) : Object.hasOwn(value, key) ? [value[key]] : []
  return children.flatMap((child) => valuesAt(child, pattern, from + 1))
}

const isSigned = (value: Record<string, unknown>, rule: CompiledRule): boolean =>
  rule.signedBy.some((pattern) => valuesAt(value, pattern).some((found) => typeof found === "string" && found !== ""))

/** whether `pattern` matches the end of `path` (`*` any key) */
const endsWith = (path: ReadonlyArray<string | number>, pattern: Pattern): boolean => {
  const offset = path.length - pattern.length
  if (offset < 0) return false
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== "*" && pattern[i] !== String(path[offset + i])) return false
  }
  return true
}

/** a pattern of an object rule, anchored at the object (at path length `base`) */
interface Anchored {
  readonly base: number
  readonly pattern: Pattern
  readonly reason?: string
}

const matchesHere = (path: ReadonlyArray<string | number>, { base, pattern }: Anchored): boolean =>
  path.length - base === pattern.length && endsWith(path, pattern)

const isDataUri = (text: string): boolean => text.startsWith("data:") && text.slice(0, 200).includes(";base64,")

/** a row of the agent held as JSON text: the kept reason of its rule when it is signed */
const signedRow = (text: string, compiled: Compiled): string | undefined => {
  let row: unknown
  try {
    row = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isObject(row) || typeof row.type !== "string") return undefined
  const rule = compiled.objects.get(row.type)
  return rule !== undefined && rule.kept.length > 0 && isSigned(row, rule) ? rule.reason : undefined
}

/**
 * The segments of a parsed record (an object or an array). Throws `RangeError` on a record
 * nested too deep to walk.
 */
export const segments = (record: object, compiled: Compiled): Array<Segment> => {
  const out: Array<Segment> = []
  const path: Array<string | number> = []
  const emit = (text: string, kept: string | undefined, key: string | number | undefined) => {
    if (text.length < MIN_STRING || isDataUri(text)) return
    const label = typeof key === "string" && SECRET_NAME.test(key) ? key : undefined
    out.push({
      path: path.slice(),
      text,
      ...(kept === undefined ? {} : { kept }),
      ...(label === undefined ? {} : { label })
    })
  }
  const walk = (value: unknown, kept: string | undefined, opaque: ReadonlyArray<Anchored>, keep: ReadonlyArray<Anchored>) => {
    const key = path.at(-1)
    if (typeof value === "string") {
      const embedded = kept === undefined && typeof key === "string" && compiled.embedded.has(key)
        ? signedRow(value, compiled)
        : undefined
      emit(value, kept ?? embedded, key)
      return
    }
    if (!isObject(value)) return
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i)
        walk(value[i], kept, opaque, keep)
        path.pop()
      }
      return
    }
    let innerOpaque = opaque
    let innerKeep = keep
    const rule = typeof value.type === "string" ? compiled.objects.get(value.type) : undefined
    if (rule !== undefined) {
      const base = path.length
      innerOpaque = [...opaque, ...rule.opaque.map((pattern) => ({ base, pattern }))]
      if (rule.kept.length > 0 && isSigned(value, rule)) {
        innerKeep = [...keep, ...rule.kept.map((pattern) => ({ base, pattern, ...(rule.reason === undefined ? {} : { reason: rule.reason }) }))]
      }
    }
    for (const child of Object.keys(value)) {
      path.push(child)
      const skip = compiled.never.get(child)?.some((pattern) => endsWith(path, pattern)) ||
        innerOpaque.some((anchored) => matchesHere(path, anchored))
      if (!skip) walk(value[child], kept ?? innerKeep.find((anchored) => matchesHere(path, anchored))?.reason, innerOpaque, innerKeep)
      path.pop()
    }
  }
  walk(record, undefined, [], [])
  return out
}
