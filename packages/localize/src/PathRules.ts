/**
 * Path rules: how a machine path of the source becomes one of the target. Applied in order, the
 * first that matches wins:
 *
 * 1. explicit `--map FROM=TO` mappings, the longest matching FROM first;
 * 2. the source home (`path_localization.json` `source_home`) → the target home;
 * 3. a Windows path holding `\Documents\` (first occurrence, any case; also a path that ends in
 *    `\Documents`): the prefix before it becomes the target home, the rest is kept;
 * 4. anything else stays as it is.
 *
 * A prefix matches only at a path boundary (`/a/b` matches `/a/b` and `/a/b/c`, not `/a/bc`);
 * trailing separators are ignored. Windows prefixes match case-insensitively, with `/` and `\`
 * alike, after a leading `\\?\` is stripped. When the source path and the target differ in style
 * (Windows → POSIX or back), the separators of the kept rest are converted; the mapped prefix is
 * the rule's target, in the target's style. Relative paths never match.
 *
 * A path is matched as the system resolves it: its `.` and `..` segments are resolved first
 * (`C:\Users\a\Documents\..\..\x` is `C:\x`, which no rule maps), and a path a rule maps comes
 * out resolved. A localized path whose kept rest would still climb out of the rule's target (a
 * POSIX name holding `\..\` on a Windows target) is refused: `map` throws {@link PathOutsideRoot}.
 *
 * Everything is precomputed in {@link make}: `map` is called for every path of every transcript.
 *
 * @since 0.1.0
 */
import { Either, Schema } from "effect"
import * as Paths from "./internal/paths.js"
import * as PathMatch from "./PathMatch.js"

/** @since 0.1.0 @category models */
export type Platform = "posix" | "windows"

/** One `--map FROM=TO`. @since 0.1.0 @category models */
export interface Mapping {
  readonly from: string
  readonly to: string
}

/** @since 0.1.0 @category models */
export interface Options {
  readonly maps: ReadonlyArray<Mapping>
  /** `source_home` of `path_localization.json`, e.g. `/Users/alice` or `C:\Users\alice` */
  readonly sourceHome?: string | undefined
  readonly targetHome: string
  readonly targetPlatform: Platform
}

/** What a rule does, for reports. @since 0.1.0 @category models */
export interface RuleDescription {
  readonly rule: "map" | "home" | "documents" | "unchanged"
  readonly from: string
  readonly to: string
  readonly text: string
}

/** @since 0.1.0 @category models */
export interface PathRules {
  /**
   * The localized path; the very same string when no rule changes it. Throws
   * {@link PathOutsideRoot} for a path that would leave its rule's target.
   */
  readonly map: (path: string) => string
  /** A `file://` URL with its path localized and re-encoded; the same string when unchanged or unreadable. */
  readonly mapFileUrl: (url: string) => string
  /**
   * Free text with every POSIX rule prefix that stands as a path of its own (not inside a longer
   * name) mapped to its target; what follows a prefix is kept as it is (text does not say where a
   * path ends). Windows prefixes are left in text.
   */
  readonly mapText: (text: string) => { readonly text: string; readonly changes: ReadonlyArray<{ readonly old: string; readonly new: string }> }
  /** The rules in the order they apply. */
  readonly describe: () => ReadonlyArray<RuleDescription>
  /**
   * False only when the JSON text (a rollout line) cannot hold a path these rules change, nor a
   * file URL: a substring pre-check, so that most lines are never walked.
   */
  readonly mayChangeJson: (jsonText: string) => boolean
  /**
   * Text `mayChangeJson` accepts holds one of these: a reader may look for them in the raw bytes
   * (UTF-8) and decode only the lines that hold one.
   */
  readonly jsonNeedles: ReadonlyArray<string>
}

/**
 * A path that, localized, would leave the folder its rule maps to: nothing is localized to it.
 *
 * @since 0.1.0
 * @category errors
 */
export class PathOutsideRoot extends Schema.TaggedError<PathOutsideRoot>("@sessionport/localize/PathOutsideRoot")(
  "PathOutsideRoot",
  { path: Schema.String, localized: Schema.String, root: Schema.String }
) {
  override get message(): string {
    return `the path ${this.path} would be localized to ${this.localized}, outside ${this.root}`
  }
}

/**
 * A `--map` argument that cannot be used.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidMapping extends Schema.TaggedError<InvalidMapping>("@sessionport/localize/InvalidMapping")(
  "InvalidMapping",
  { mapping: Schema.String, detail: Schema.String }
) {
  override get message(): string {
    return `--map ${JSON.stringify(this.mapping)}: ${this.detail}`
  }
}

// `=` followed by the start of an absolute path: `/`, `\\`, `X:\`, `X:/`
const SPLIT = /^=(?:\/|\\\\|[A-Za-z]:[\\/])/
// C0, DEL and C1 controls: no folder name holds them (a newline is a pasting mistake)
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/**
 * Parses `FROM=TO`. Paths may hold `=`, so the split is at the first `=` that is followed by an
 * absolute path (`/…`, `\\…`, `X:\…`, `X:/…`), or at the first `=` when none is: `C:\Users\a=/home/b`
 * and `/srv/a=b=/srv/c` (FROM `/srv/a=b`) both parse. FROM and TO must both be absolute paths,
 * without control characters (a newline) or `..` segments.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseMapping = (
  text: string,
  options: {
    /** this machine's reading of a TO that is not absolute (`~`, a relative path) before it is checked */
    readonly resolveTo?: ((to: string) => string) | undefined
  } = {}
): Either.Either<Mapping, InvalidMapping> => {
  const fail = (detail: string) => Either.left(new InvalidMapping({ mapping: text, detail }))
  let at = -1
  for (let i = text.indexOf("="); i !== -1; i = text.indexOf("=", i + 1)) {
    if (i > 0 && SPLIT.test(text.slice(i))) {
      at = i
      break
    }
  }
  if (at === -1) at = text.indexOf("=")
  if (at === -1) return fail("expected FROM=TO")
  const from = text.slice(0, at)
  const given = text.slice(at + 1)
  // an absolute path of either style is taken as it is
  const to = given === "" || options.resolveTo === undefined || Paths.styleOf(given) !== undefined ? given : options.resolveTo(given)
  if (from === "") return fail("FROM is empty")
  if (to === "") return fail("TO is empty")
  if (Paths.styleOf(Paths.stripLongPrefix(from)) === undefined) return fail(`FROM ${JSON.stringify(from)} is not an absolute path`)
  if (Paths.styleOf(to) === undefined) return fail(`TO ${JSON.stringify(to)} is not an absolute path`)
  for (const [name, path] of [["FROM", from], ["TO", to]] as const) {
    if (CONTROL.test(path)) return fail(`${name} holds a control character`)
    if (Paths.hasParentSegment(path, "windows")) return fail(`${name} holds a ".." segment`)
  }
  return Either.right({ from, to })
}

interface Target {
  /** the result for an exact match */
  readonly exact: string
  /** what the converted rest is appended to */
  readonly join: string
}

interface Rule {
  readonly rule: "map" | "home"
  readonly from: string
  readonly to: string
  /** posix: the trimmed prefix (`""` for `/`); windows: folded (lower case, `\` only), trimmed */
  readonly key: string
  readonly target: Target
}

const toTarget = (to: string, platform: Platform): Target => {
  // the mapped prefix takes the target's separators
  const native = platform === "windows" ? to.replace(/\//g, "\\") : to
  const exact = Paths.trimTrailing(native, Paths.styleOf(native) ?? platform)
  return { exact, join: Paths.isSeparator(exact.charCodeAt(exact.length - 1)) ? exact.slice(0, -1) : exact }
}

// a rule's prefix: its FROM's key (the one of `--cwd`) without a root's own separator (`/` → ``,
// `c:\` → `c:`), so that a separator must follow it
const prefixOf = (key: string): string => Paths.isSeparator(key.charCodeAt(key.length - 1)) ? key.slice(0, -1) : key

const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")

const jsonEscaped = (text: string) => JSON.stringify(text).slice(1, -1)

// A Windows absolute path in JSON text: `X:\` (escaped `X:\\`), `\\` (escaped `\\\\`: UNC, `\\?\`),
// or `X:/` that is not a URL scheme.
const WINDOWS_FORWARD = /(?<![A-Za-z0-9+.-])[A-Za-z]:\/(?!\/)/
const WINDOWS_NEEDLES = [":\\\\", "\\\\\\\\", ":/"] as const
const mayHoldWindowsPath = (text: string) =>
  text.includes(WINDOWS_NEEDLES[0]) || text.includes(WINDOWS_NEEDLES[1]) ||
  (text.includes(WINDOWS_NEEDLES[2]) && WINDOWS_FORWARD.test(text))
// `\/` is how some writers (not Codex) escape a slash: such text may hide any prefix
const ALWAYS_NEEDLES = ["file://", "\\/"] as const

/**
 * Builds the rules. Mappings whose FROM is not an absolute path never match.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): PathRules => {
  const { targetPlatform } = options
  const home = toTarget(options.targetHome, targetPlatform)
  const compile = (rule: "map" | "home", from: string, to: string) => {
    const key = PathMatch.keyOf(from)
    const style = key === undefined ? undefined : Paths.styleOf(key)
    return key === undefined || style === undefined ? undefined : {
      style,
      rule: { rule, from, to, key: prefixOf(key), target: toTarget(to, targetPlatform) } satisfies Rule
    }
  }
  const explicit = options.maps
    .map((m) => compile("map", m.from, m.to))
    .filter((r) => r !== undefined)
    .sort((a, b) => b.rule.key.length - a.rule.key.length)
  const homeRule = options.sourceHome === undefined || options.sourceHome === ""
    ? undefined
    : compile("home", options.sourceHome, options.targetHome)
  const ordered = homeRule === undefined ? explicit : [...explicit, homeRule]
  const posix = ordered.filter((r) => r.style === "posix").map((r) => r.rule)
  const windows = ordered.filter((r) => r.style === "windows").map((r) => r.rule)

  const finish = (target: Target, rest: string, from: Paths.Style, original: string) => {
    const kept = Paths.convertSeparators(rest, from, targetPlatform)
    const out = rest === "" ? target.exact : target.join + kept
    // a resolved rest climbs out only when the target reads a separator the source did not
    if (from !== targetPlatform && Paths.hasParentSegment(kept, targetPlatform)) {
      throw new PathOutsideRoot({ path: original, localized: out, root: target.exact })
    }
    return out === original ? original : out
  }

  const documentsAt = (folded: string): number => {
    for (let i = folded.indexOf("\\documents"); i !== -1; i = folded.indexOf("\\documents", i + 1)) {
      const end = i + 10
      if (end === folded.length || folded.charCodeAt(end) === 92) return i
    }
    return -1
  }

  const map = (path: string): string => {
    const style = Paths.styleOf(path)
    if (style === "posix") {
      const resolved = Paths.normalize(path, style)
      for (const r of posix) {
        const n = r.key.length
        if (resolved.startsWith(r.key) && (resolved.length === n || resolved.charCodeAt(n) === 47)) {
          return finish(r.target, resolved.slice(n), "posix", path)
        }
      }
      return path
    }
    if (style === undefined) return path
    const stripped = Paths.normalize(Paths.stripLongPrefix(path), style)
    const folded = Paths.foldWindows(stripped)
    for (const r of windows) {
      const n = r.key.length
      if (folded.startsWith(r.key) && (folded.length === n || folded.charCodeAt(n) === 92)) {
        return finish(r.target, stripped.slice(n), "windows", path)
      }
    }
    const at = documentsAt(folded)
    return at === -1 ? path : finish(home, stripped.slice(at), "windows", path)
  }

  const mapFileUrl = (url: string): string => {
    const parsed = Paths.parseFileUrl(url)
    if (parsed === undefined) return url
    const mapped = map(parsed.path)
    return mapped === parsed.path ? url : Paths.toFileUrl(mapped, parsed.host) + parsed.tail
  }

  // Needles for the pre-check: each POSIX prefix as it reads inside JSON text, and inside JSON
  // text nested in a JSON string (tool arguments). Windows paths are found by their shape.
  const needles = [...new Set(posix.flatMap((r) => {
    const key = r.key === "" ? "/" : r.key
    return [jsonEscaped(key), jsonEscaped(jsonEscaped(key))]
  }))]
  const mayChangeJson = (text: string): boolean => {
    if (text.includes(ALWAYS_NEEDLES[0]) || text.includes(ALWAYS_NEEDLES[1])) return true
    for (const needle of needles) if (text.includes(needle)) return true
    return mayHoldWindowsPath(text)
  }
  const jsonNeedles = [...ALWAYS_NEEDLES, ...needles, ...WINDOWS_NEEDLES]

  const sep = targetPlatform === "windows" ? "\\" : "/"
  const descriptions: ReadonlyArray<RuleDescription> = [
    ...ordered.map(({ rule }): RuleDescription => ({
      rule: rule.rule,
      from: rule.from,
      to: rule.to,
      text: `${rule.rule === "map" ? "--map" : "home"}: ${rule.from} → ${rule.to}`
    })),
    {
      rule: "documents",
      from: "…\\Documents\\…",
      to: `${home.join}${sep}Documents${sep}…`,
      text: `Windows paths: the prefix before \\Documents\\ → ${home.exact}`
    },
    { rule: "unchanged", from: "anything else", to: "unchanged", text: "anything else stays as it is" }
  ]

  // a prefix in text: not preceded by a path character (a longer name, a URL's path) and followed
  // by a separator or a character no file name part here would end on
  const textRules = posix.filter((r) => r.key !== "")
  const textPattern = textRules.length === 0
    ? undefined
    : new RegExp(
      `(?<![\\p{L}\\p{N}_.~/-])(${textRules.map((r) => escapeRegExp(r.key)).join("|")})(?![\\p{L}\\p{N}_~-]|\\.[\\p{L}\\p{N}_.~-])`,
      "gu"
    )
  const textTarget = new Map(textRules.map((r) => [r.key, r.target.exact]))
  const mapText: PathRules["mapText"] = (text) => {
    if (textPattern === undefined || !textRules.some((r) => text.includes(r.key))) return { text, changes: [] }
    const changes: Array<{ old: string; new: string }> = []
    const out = text.replace(textPattern, (key: string) => {
      const target = textTarget.get(key)!
      if (target !== key) changes.push({ old: key, new: target })
      return target
    })
    return { text: changes.length === 0 ? text : out, changes }
  }

  return { map, mapFileUrl, mapText, describe: () => descriptions, mayChangeJson, jsonNeedles }
}
