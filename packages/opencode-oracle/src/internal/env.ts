/** The key OpenCode sends; the scripted server accepts anything. */
export const mockApiKey = "mock-key"

/**
 * Variables that keep OpenCode 1.18.33 off the network and away from the user's other tools: no
 * self-update, no models.dev fetch (the bundled snapshot is used), no sharing, no LSP downloads,
 * no ~/.claude prompts or skills, and no default plugins (installed from the npm registry: one
 * research run looked up registry.npmjs.org).
 */
export const quietEnv: Readonly<Record<string, string>> = {
  OPENCODE_DISABLE_AUTOUPDATE: "1",
  OPENCODE_DISABLE_MODELS_FETCH: "1",
  OPENCODE_DISABLE_SHARE: "1",
  OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
  OPENCODE_DISABLE_CLAUDE_CODE: "1",
  OPENCODE_DISABLE_DEFAULT_PLUGINS: "1"
}

export { defaultShell, isLoopbackUrl } from "@sessionport/codex-oracle/ChildRun"
