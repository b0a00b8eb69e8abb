/** @internal */
export type Style = "posix" | "windows"

const DRIVE = /^[A-Za-z]:(?:[\\/]|$)/

/** @internal The style of an absolute path; undefined for anything else (relative, empty, `~`). */
export const styleOf = (path: string): Style | undefined => {
  const c = path.charCodeAt(0)
  if (c === 47 /* / */) return "posix"
  if (c === 92 /* \ */) return path.charCodeAt(1) === 92 ? "windows" : undefined
  return DRIVE.test(path) ? "windows" : undefined
}

/** @internal `\\?\C:\x` → `C:\x`, `\\?\UNC\host\share` → `\\host\share`; anything else as it is. */
export const stripLongPrefix = (path: string): string => {
  if (!path.startsWith("\\\\?\\") && !path.startsWith("//?/")) return path
  const rest = path.slice(4)
  return /^UNC[\\/]/i.test(rest) ? `\\\\${rest.slice(4)}` : rest
}

/**
 * @internal Case- and separator-folded Windows path, the same length as its input so that indices
 * found in it apply to the original.
 */
export const foldWindows = (path: string): string => {
  let lower = path.toLowerCase()
  if (lower.length !== path.length) {
    // a few characters lower-case to more code units; fold those one by one, keep the rest
    lower = Array.from(path, (ch) => {
      const l = ch.toLowerCase()
      return l.length === ch.length ? l : ch
    }).join("")
  }
  return lower.includes("/") ? lower.replace(/\//g, "\\") : lower
}

/** @internal Without trailing separators; a bare root keeps its separator (`/`, `C:\`). */
export const trimTrailing = (path: string, style: Style): string => {
  if (style === "posix") {
    const trimmed = path.replace(/\/+$/, "")
    return trimmed === "" ? "/" : trimmed
  }
  const trimmed = path.replace(/[\\/]+$/, "")
  return /^[A-Za-z]:$/.test(trimmed) ? `${trimmed}\\` : trimmed === "" ? "\\" : trimmed
}

/** @internal `/` or `\` */
export const isSeparator = (code: number): boolean => code === 47 || code === 92

const DOT_SEGMENT: Readonly<Record<Style, RegExp>> = { posix: /(?:^|\/)\.\.?(?:\/|$)/, windows: /(?:^|[\\/])\.\.?(?:[\\/]|$)/ }
const PARENT_SEGMENT: Readonly<Record<Style, RegExp>> = { posix: /(?:^|\/)\.\.(?:\/|$)/, windows: /(?:^|[\\/])\.\.(?:[\\/]|$)/ }

/** @internal Whether the text, read as a path of this style, holds a `..` segment. */
export const hasParentSegment = (text: string, style: Style): boolean => text.includes("..") && PARENT_SEGMENT[style].test(text)

/**
 * @internal An absolute path without `.` and `..` segments, as the system resolves it (`..` stops
 * at the root: `/`, `C:\`, `\\server\share`); the very same string when it holds none. A
 * resolved path has no empty segments, and a Windows one has `\` separators only.
 */
export const normalize = (path: string, style: Style): string => {
  if (!DOT_SEGMENT[style].test(path)) return path
  // posix: the root is `/`; windows: a drive (`C:`) or a share (`\\server\share`: `..` does not leave it)
  let root = ""
  let rest = path
  if (style === "windows" && isSeparator(path.charCodeAt(0))) {
    const [server = "", share = "", ...tail] = path.slice(2).split(/[\\/]/)
    root = `\\\\${server}\\${share}`
    rest = tail.join("\\")
  } else if (style === "windows") {
    root = path.slice(0, 2)
    rest = path.slice(2)
  }
  const kept: Array<string> = []
  for (const segment of rest.split(style === "posix" ? "/" : /[\\/]/)) {
    if (segment === "" || segment === ".") continue
    if (segment === "..") kept.pop()
    else kept.push(segment)
  }
  if (style === "posix") return `/${kept.join("/")}`
  // a drive's root keeps its separator (`C:\`), a share's does not (`\\server\share`)
  return kept.length === 0 ? (root.startsWith("\\\\") ? root : `${root}\\`) : `${root}\\${kept.join("\\")}`
}

/** @internal The separators of `rest` in the target's style. */
export const convertSeparators = (rest: string, from: Style, to: Style): string => {
  if (from === to) return rest
  return to === "posix" ? rest.replace(/\\/g, "/") : rest.replace(/\//g, "\\")
}

// What Codex (the Rust `url` crate) percent-encodes in a file URL path: C0 controls, space, `"`,
// `#`, `%`, `<`, `>`, `?`, backquote, `{`, `}`, `\`, DEL and everything beyond ASCII.
const URL_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/[\]|^]*$/
const ASCII_ENCODE = /[\x00-\x20"#%<>?`{}\\\x7f]/

/** @internal */
export const encodeUrlPath = (path: string): string => {
  if (URL_SAFE.test(path)) return path
  let out = ""
  for (const ch of path) {
    const code = ch.codePointAt(0)!
    if (code < 0x80) {
      out += ASCII_ENCODE.test(ch) ? `%${code.toString(16).toUpperCase().padStart(2, "0")}` : ch
    } else {
      try {
        out += encodeURIComponent(ch)
      } catch {
        out += "%EF%BF%BD" // a lone surrogate: U+FFFD, as a UTF-8 encoder writes it
      }
    }
  }
  return out
}

/** @internal A file URL taken apart; undefined when it is not one this module can read. */
export interface FileUrl {
  readonly host: string
  readonly path: string
  /** `?query#fragment`, kept as it was */
  readonly tail: string
}

/** @internal */
export const parseFileUrl = (url: string): FileUrl | undefined => {
  if (!/^file:/i.test(url)) return undefined
  let rest = url.slice(5)
  let host = ""
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2)
    host = slash === -1 ? rest.slice(2) : rest.slice(2, slash)
    rest = slash === -1 ? "" : rest.slice(slash)
  }
  const cut = rest.search(/[?#]/)
  const tail = cut === -1 ? "" : rest.slice(cut)
  const encoded = cut === -1 ? rest : rest.slice(0, cut)
  let decoded: string
  try {
    decoded = decodeURIComponent(encoded)
  } catch {
    return undefined
  }
  if (/^\/[A-Za-z][:|](?:\/|$)/.test(decoded)) {
    // file:///C:/x → C:\x
    const rest = decoded.slice(3).replace(/\//g, "\\")
    return { host, path: `${decoded[1]}:${rest === "" ? "\\" : rest}`, tail }
  }
  if (host !== "" && host.toLowerCase() !== "localhost") {
    // file://server/share/x → \\server\share\x
    return { host, path: `\\\\${host}${decoded.replace(/\//g, "\\")}`, tail }
  }
  return decoded.startsWith("/") ? { host, path: decoded, tail } : undefined
}

/** @internal A path as a file URL; `host` is kept for POSIX paths (`file://localhost/x`). */
export const toFileUrl = (path: string, host: string): string => {
  if (path.startsWith("\\\\")) {
    const [server = "", ...rest] = path.slice(2).split("\\")
    return `file://${server}/${encodeUrlPath(rest.join("/"))}`
  }
  if (DRIVE.test(path)) return `file:///${encodeUrlPath(path.replace(/\\/g, "/"))}`
  const keptHost = host.toLowerCase() === "localhost" ? host : ""
  return `file://${keptHost}${encodeUrlPath(path)}`
}
