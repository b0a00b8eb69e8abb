/**
 * What the Claude store reads of a home, shared by its catalog, installer and sync support:
 * folders listed, paths resolved, `*.jsonl` files read line by line (streamed, any size).
 */
import { FileChunks } from "@sessionport/package-format"
import * as fs from "node:fs"
import * as Path from "node:path"
import { StringDecoder } from "node:string_decoder"

/** @internal A folder's entries; none when it cannot be read. */
export const readDir = (dir: string): Array<fs.Dirent> => {
  try {
    return fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
}

/** @internal The real path of `path`, or `path` itself when it cannot be resolved. */
export const realpathOr = (path: string): string => {
  try {
    return fs.realpathSync(path)
  } catch {
    return path
  }
}

/** @internal Whether a file name is a transcript's: its session id and `.jsonl`. */
export const isTranscriptName = (name: string): boolean => /^[A-Za-z0-9][A-Za-z0-9._-]*\.jsonl$/.test(name)

/** @internal Every `projects/<folder>/<id>.jsonl` of a home. */
export function* transcripts(projectsDir: string): Generator<{ readonly id: string; readonly folder: string; readonly path: string }> {
  for (const folder of readDir(projectsDir)) {
    if (!folder.isDirectory()) continue
    const dir = Path.join(projectsDir, folder.name)
    for (const entry of readDir(dir)) {
      if (entry.isFile() && isTranscriptName(entry.name)) {
        yield { id: entry.name.slice(0, -".jsonl".length), folder: folder.name, path: Path.join(dir, entry.name) }
      }
    }
  }
}

/** @internal The non-blank lines of a file (without their `\n`), read a chunk at a time; none when it is missing. */
export function* lines(path: string): Generator<string> {
  if (!fs.existsSync(path)) return
  const decoder = new StringDecoder("utf8")
  let carry = ""
  for (const chunk of FileChunks.read(path)) {
    const parts = (carry + decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))).split("\n")
    carry = parts.pop() ?? ""
    for (const line of parts) if (line.trim() !== "") yield line
  }
  const last = carry + decoder.end()
  if (last.trim() !== "") yield last
}

/** @internal The `sessionId` of a JSON line, if it has one. */
export const sessionIdOf = (line: string): string | undefined => {
  try {
    const id = (JSON.parse(line) as { sessionId?: unknown }).sessionId
    return typeof id === "string" ? id : undefined
  } catch {
    return undefined
  }
}
