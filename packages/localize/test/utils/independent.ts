// Independent readings for the tests: the surface walked by hand (no RewriteSurface, no
// rewriter code), zstd through fzstd's one-shot decompressor.
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

const requireHere = createRequire(import.meta.url)
const fzstd = createRequire(requireHere.resolve("@sessionport/schema/package.json"))("fzstd") as {
  decompress: (data: Uint8Array) => Uint8Array
}

export const unzstd = (bytes: Uint8Array): Uint8Array => fzstd.decompress(bytes)

/** One value on the surface: a path, id, offset; `url` when it is a file URL. */
export interface SurfaceValue {
  readonly value: string | number
  readonly url?: boolean
}

const tagValues = (fragment: string, out: Array<SurfaceValue>) => {
  for (const tag of ["cwd", "root", "path"]) {
    for (let i = fragment.indexOf(`<${tag}>`); i !== -1; i = fragment.indexOf(`<${tag}>`, i + 1)) {
      const end = fragment.indexOf(`</${tag}>`, i)
      if (end !== -1) out.push({ value: fragment.slice(i + tag.length + 2, end) })
    }
  }
}

const environmentValues = (text: unknown, out: Array<SurfaceValue>) => {
  if (typeof text !== "string") return
  for (let at = text.indexOf("<environment_context>"); at !== -1; at = text.indexOf("<environment_context>", at + 1)) {
    const end = text.indexOf("</environment_context>", at)
    if (end === -1) return
    tagValues(text.slice(at, end), out)
  }
}

/** The backticked paths on the "The writable roots are …" line of a developer permissions message. */
const writableRoots = (item: any, out: Array<SurfaceValue>) => {
  if (item?.type !== "message" || item.role !== "developer" || !Array.isArray(item.content)) return
  for (const c of item.content) {
    if (c?.type !== "input_text" || typeof c.text !== "string" || !c.text.includes("<permissions instructions>")) continue
    const line = /The writable roots are ([^\n]*)/.exec(c.text)?.[1] ?? ""
    for (const m of line.matchAll(/`([^`]+)`/g)) out.push({ value: m[1]! })
  }
}

const userMessages = (items: unknown, out: Array<SurfaceValue>) => {
  if (!Array.isArray(items)) return
  for (const item of items) {
    if (item?.type !== "message" || item.role !== "user" || !Array.isArray(item.content)) continue
    for (const c of item.content) if (c?.type === "input_text") environmentValues(c.text, out)
  }
}

/**
 * Every value on the surface of one parsed line, in a fixed order (so the values of a line before
 * and after a rewrite pair up), walked by hand from the shapes Codex writes.
 */
export const surfaceValues = (line: any): Array<SurfaceValue> => {
  const out: Array<SurfaceValue> = []
  const add = (value: unknown, url = false) => {
    if (typeof value === "string" || typeof value === "number") out.push(url ? { value, url } : { value })
  }
  const addAll = (values: unknown) => Array.isArray(values) && values.forEach((v) => add(v))
  const profile = (p: any) => {
    for (const e of p?.file_system?.entries ?? []) if (e?.path?.type === "path") add(e.path.path)
  }
  const p = line?.payload ?? {}
  switch (line?.type) {
    case "session_meta":
      add(p.id), add(p.session_id), add(p.timestamp), add(p.cwd), add(p.forked_from_id)
      add(p.history_base?.thread_id), add(p.history_base?.end_byte_offset), add(p.parent_thread_id)
      add(p.source?.subagent?.thread_spawn?.parent_thread_id), addAll(p.runtime_workspace_roots)
      break
    case "turn_context":
      add(p.cwd), addAll(p.sandbox_policy?.writable_roots), addAll(p.workspace_roots), profile(p.permission_profile)
      for (const e of p.file_system_sandbox_policy?.entries ?? []) {
        if (typeof e?.path === "string") add(e.path)
        else if (e?.path?.type === "path") add(e.path.path)
      }
      break
    case "response_item":
      if (p.type === "message") userMessages([p], out), writableRoots(p, out)
      if (p.type === "function_call") {
        try {
          add(JSON.parse(p.arguments).workdir)
        } catch {
          // not JSON: nothing on the surface
        }
      }
      break
    case "event_msg":
      add(p.thread_id), add(p.session_id)
      if (p.type === "user_message") environmentValues(p.message, out)
      if (p.type === "thread_settings_applied") {
        add(p.thread_settings?.cwd), profile(p.thread_settings?.permission_profile)
        addAll(p.thread_settings?.runtime_workspace_roots)
      }
      if (p.type === "item_completed" && p.item?.type === "CommandExecution") add(p.item.cwd, true)
      if (p.type === "item_completed" && p.item?.type === "FileChange") Object.keys(p.item.changes ?? {}).forEach((k) => add(k))
      if (p.type === "exec_command_end") add(p.cwd)
      if (p.type === "patch_apply_end") Object.keys(p.changes ?? {}).forEach((k) => add(k))
      break
    case "compacted":
      userMessages(p.replacement_history, out)
      break
    case "world_state": {
      const envs = p.state?.environments?.environments
      for (const env of Array.isArray(envs) ? envs : Object.values(envs ?? {})) add((env as any)?.cwd)
      if (typeof p.state?.environments?.filesystem === "string") tagValues(p.state.environments.filesystem, out)
      add(p.state?.agents_md?.directory)
      break
    }
    case "token_usage_record":
      add(p.thread_id), add(p.session_id)
      break
  }
  return out
}

/** The path a surface value names (file URLs decoded by Node's own reader). */
export const pathOf = (v: SurfaceValue): string | number => v.url === true ? fileURLToPath(String(v.value)) : v.value

/** Every `encrypted_content` value anywhere in a value, in document order. */
export const encryptedContents = (value: unknown, out: Array<unknown> = []): Array<unknown> => {
  if (Array.isArray(value)) for (const v of value) encryptedContents(v, out)
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === "encrypted_content") out.push(v)
      else encryptedContents(v, out)
    }
  }
  return out
}

/** Lines of a file's bytes, each with its byte length including its `\n`. */
export const linesOf = (bytes: Uint8Array): Array<{ text: string; bytes: number }> => {
  const out: Array<{ text: string; bytes: number }> = []
  let start = 0
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 10) continue
    out.push({ text: Buffer.from(bytes.subarray(start, i)).toString("utf8"), bytes: i + 1 - start })
    start = i + 1
  }
  if (start < bytes.length) out.push({ text: Buffer.from(bytes.subarray(start)).toString("utf8"), bytes: bytes.length - start })
  return out
}
