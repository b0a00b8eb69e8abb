/** `.claude.json` entries that let the interactive TUI start straight at its prompt. */
export interface SeedOptions {
  readonly apiKey: string
  /** Project folders whose trust dialog counts as accepted. */
  readonly projects: ReadonlyArray<string>
  readonly theme?: string
}

type Json = Record<string, unknown>

const record = (value: unknown): Json => typeof value === "object" && value !== null ? value as Json : {}

/** Merges the onboarding, theme, approved-key and trust entries into an existing config. */
export const seedConfig = (config: Json, options: SeedOptions): Json => {
  const keys = record(config["customApiKeyResponses"])
  // Claude remembers an approved custom key by its last 20 characters.
  const suffix = options.apiKey.slice(-20)
  const approved = Array.isArray(keys["approved"]) ? keys["approved"].map(String) : []
  const projects = { ...record(config["projects"]) }
  for (const dir of options.projects) {
    projects[dir] = { ...record(projects[dir]), hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true }
  }
  return {
    ...config,
    hasCompletedOnboarding: true,
    theme: options.theme ?? "dark",
    numStartups: typeof config["numStartups"] === "number" ? config["numStartups"] : 1,
    customApiKeyResponses: {
      approved: approved.includes(suffix) ? approved : [...approved, suffix],
      rejected: Array.isArray(keys["rejected"]) ? keys["rejected"] : []
    },
    projects
  }
}
