/** Minimal TOML writer for the flat config Codex needs; strings go through JSON escaping. */
const tomlValue = (value: string | number | boolean): string =>
  typeof value === "string" ? JSON.stringify(value) : String(value)

export type TomlTable = Readonly<Record<string, string | number | boolean>>

export const renderToml = (
  root: TomlTable,
  tables: ReadonlyArray<readonly [name: string, table: TomlTable]>,
  extra: string | undefined
): string => {
  const lines = Object.entries(root).map(([k, v]) => `${k} = ${tomlValue(v)}`)
  for (const [name, table] of tables) {
    lines.push("", `[${name}]`, ...Object.entries(table).map(([k, v]) => `${k} = ${tomlValue(v)}`))
  }
  if (extra !== undefined && extra.trim().length > 0) lines.push("", extra.trim())
  return `${lines.join("\n")}\n`
}

/** Matches the header Codex prints: `session id: <uuid>`. */
export const sessionIdPattern = /session id:\s*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i

/** `rollout-YYYY-MM-DDThh-mm-ss-<uuid>.jsonl[.zst]` → uuid. */
export const rolloutFilePattern =
  /^rollout-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl(\.zst)?$/i
