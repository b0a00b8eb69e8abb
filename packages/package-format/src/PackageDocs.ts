/**
 * The two human files of a package: `README.md` (what this is) and `INSTALL_REMOTE.md` (how to
 * install it on the other machine, for a person or an agent).
 *
 * @since 0.1.0
 */
import { FORMAT_VERSION } from "./FormatVersion.js"

/** @since 0.1.0 @category models */
export interface PackageDocsInput {
  readonly packageId: string
  readonly createdAt: string
  readonly sourcePlatform: string
  readonly sourceHome: string
  readonly sessions: ReadonlyArray<{
    readonly threadId: string
    readonly cwd: string
    readonly title: string | undefined
    /** absent: codex */
    readonly agent?: string | undefined
  }>
  readonly cwds: ReadonlyArray<string>
}

const NAMES: Readonly<Record<string, string>> = { codex: "Codex", claude: "Claude Code", opencode: "OpenCode" }

const codexOnly = (input: PackageDocsInput) => input.sessions.every((s) => (s.agent ?? "codex") === "codex")

/** @since 0.1.0 @category constructors */
export const readme = (input: PackageDocsInput): string =>
  codexOnly(input)
    ? [
      "# Codex session package",
      "",
      `${input.sessions.length} Codex session(s) exported by sessionport on ${input.createdAt} ` +
      `from a ${input.sourcePlatform} machine (format_version ${FORMAT_VERSION}, package ${input.packageId}).`,
      "See INSTALL_REMOTE.md to install them on another machine.",
      "",
      "| thread | working directory | first prompt |",
      "|---|---|---|",
      ...input.sessions.map((s) => `| ${s.threadId} | ${escapeCell(s.cwd)} | ${escapeCell((s.title ?? "").slice(0, 80))} |`),
      ""
    ].join("\n")
    : [
      "# Session package",
      "",
      `${input.sessions.length} session(s) of ${[...new Set(input.sessions.map((s) => NAMES[s.agent ?? "codex"] ?? s.agent))].join(", ")} ` +
      `exported by sessionport on ${input.createdAt} from a ${input.sourcePlatform} machine ` +
      `(format_version ${FORMAT_VERSION}, package ${input.packageId}).`,
      "See INSTALL_REMOTE.md to install them on another machine.",
      "",
      "| agent | session | working directory | first prompt |",
      "|---|---|---|---|",
      ...input.sessions.map((s) =>
        `| ${s.agent ?? "codex"} | ${s.threadId} | ${escapeCell(s.cwd)} | ${escapeCell((s.title ?? "").slice(0, 80))} |`
      ),
      ""
    ].join("\n")

/** @since 0.1.0 @category constructors */
export const installRemote = (input: PackageDocsInput): string =>
  [
    "# Installing this package",
    "",
    `On the machine that should receive these sessions, with ${
      codexOnly(input) ? "Codex (CLI and Desktop)" : "the agents"
    } closed:`,
    "",
    "```sh",
    "session-transfer inspect <this package>          # what is inside, integrity check",
    "session-transfer install <this package> --dry-run # the plan: ids, paths, rows",
    "session-transfer install <this package>           # apply it as one transaction",
    "session-transfer rollback --latest                # undo it exactly, if needed",
    "```",
    "",
    "Each session gets a new local id and its paths are localized to this machine:",
    "",
    `- the source home \`${input.sourceHome}\` becomes your home folder;`,
    "- Windows paths keep what follows `\\Documents\\` under your own Documents folder;",
    "- anything else stays as it is unless you map it: `--map FROM=TO` (repeatable, longest prefix wins).",
    "",
    "Working directories of the sessions in this package:",
    "",
    ...input.cwds.map((cwd) => `- \`${cwd}\``),
    "",
    `Credentials are never part of a package; sign in to ${codexOnly(input) ? "Codex" : "each agent"} on this machine as usual.`,
    ""
  ].join("\n")

const escapeCell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, " ")
