/** The key Claude is given; the scripted server accepts anything. */
export const mockApiKey = "sk-ant-mock-key"

/**
 * Variables that keep Claude Code off the network: no updater, telemetry, error reports or
 * probes. The interactive TUI of 2.1.332 also tries to install the official plugin marketplace
 * at start (DNS for downloads.claude.ai and github.com, `git clone https://github.com/…`,
 * `ssh -T git@github.com`) unless CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL is set;
 * with it, strace shows no connection but 127.0.0.1.
 */
export const quietEnv: Readonly<Record<string, string>> = {
  DISABLE_AUTOUPDATER: "1",
  DISABLE_TELEMETRY: "1",
  DISABLE_ERROR_REPORTING: "1",
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: "1",
  CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: "1"
}

export { defaultShell, isLoopbackUrl } from "@sessionport/codex-oracle/ChildRun"
