/**
 * Choosing sessions on a terminal (`export` or `cleanup` without a selection; which sessions of a
 * package to install or sync): a multi-select with type-to-filter, grouped by project (each
 * session under its working directory, newest first), showing what `list` shows. Built on
 * `@clack/prompts` (loaded only when a picker opens); it draws on stderr, so stdout keeps only
 * results. Never opened off a terminal (`Confirm.canAsk`): the caller refuses instead.
 *
 * Keys: type to filter (every word must match the project, title, agent, id or status), ↑/↓ to
 * move, tab to select, enter to confirm; Ctrl-C or Esc interrupts the command (exit 130).
 *
 * @since 0.3.0
 */
import { Effect } from "effect"
import * as os from "node:os"
import * as Dates from "./Dates.js"
import * as Output from "./Output.js"

/** A session as the picker shows it. @since 0.3.0 @category models */
export interface PickableSession {
  readonly agent: string
  readonly id: string
  /** shown instead of the id when given (`list`'s unique prefix) */
  readonly shortId?: string | undefined
  readonly title: string | undefined
  readonly cwd: string
  readonly updatedAt?: string | undefined
  readonly size: number
  readonly archived?: boolean | undefined
  /** e.g. a package session's status here (`new`, `already here`) */
  readonly status?: string | undefined
}

/** @since 0.3.0 @category models */
export interface PickOptions {
  readonly message: string
  /** ids selected when the picker opens */
  readonly preselected?: ReadonlyArray<string> | undefined
}

const home = os.homedir()
/** a folder as a person reads it: the home as `~` */
const project = (cwd: string): string => cwd === home ? "~" : cwd.startsWith(`${home}/`) ? `~${cwd.slice(home.length)}` : cwd

/** the sessions grouped by project (projects by their newest session), newest first in each */
const grouped = (sessions: ReadonlyArray<PickableSession>): Array<PickableSession> => {
  const byProject = new Map<string, Array<PickableSession>>()
  for (const s of [...sessions].sort((a, b) => (b.updatedAt ?? "").localeCompare(a.updatedAt ?? ""))) {
    const group = byProject.get(s.cwd) ?? []
    group.push(s)
    byProject.set(s.cwd, group)
  }
  return [...byProject.values()].flat()
}

/** @internal what the filter matches, lower case */
export const searchText = (s: PickableSession): string =>
  `${project(s.cwd)} ${s.cwd} ${s.title ?? ""} ${s.agent} ${s.id} ${s.status ?? ""}`.toLowerCase()

/** @internal every word typed must be in the session's text */
export const matches = (search: string, text: string): boolean =>
  search.toLowerCase().split(/\s+/).filter((word) => word !== "").every((word) => text.includes(word))

/** @internal one line of the picker (label) and its dimmed tail (hint) */
export const describe = (s: PickableSession, now: Date): { readonly label: string; readonly hint: string } => ({
  // a status is shown on every line (a hint only on the focused one)
  label: `${s.status === undefined ? "" : `${s.status.padEnd(12)} `}${Output.escape(project(s.cwd))} › ${Output.cell(s.title ?? "(no prompt)", 50).trimEnd()}`,
  hint: [
    s.agent,
    s.shortId ?? s.id,
    s.updatedAt === undefined ? undefined : Dates.ago(new Date(s.updatedAt), now),
    Output.size(s.size),
    s.archived === true ? "archived" : undefined
  ].filter((part) => part !== undefined).join(" · ")
})

/**
 * The ids chosen (in the order shown). Ctrl-C or Esc interrupts.
 *
 * @since 0.3.0
 * @category prompting
 */
export const pickSessions = (sessions: ReadonlyArray<PickableSession>, options: PickOptions): Effect.Effect<ReadonlyArray<string>> =>
  Effect.flatMap(
    Effect.promise(async () => {
      const prompts = await import("@clack/prompts")
      const now = new Date()
      const ordered = grouped(sessions)
      const texts = new Map(ordered.map((s) => [s.id, searchText(s)]))
      const chosen = await prompts.autocompleteMultiselect<string>({
        message: options.message,
        options: ordered.map((s) => ({ value: s.id, ...describe(s, now) })),
        initialValues: [...(options.preselected ?? [])],
        placeholder: "type to filter",
        maxItems: 12,
        output: process.stderr,
        filter: (search, option) => matches(search, texts.get(option.value) ?? "")
      })
      return prompts.isCancel(chosen) ? undefined : chosen
    }),
    (chosen) => chosen === undefined ? Effect.interrupt : Effect.succeed(ordered(sessions, chosen))
  )

/** the chosen ids in the order the picker showed them */
const ordered = (sessions: ReadonlyArray<PickableSession>, chosen: ReadonlyArray<string>): ReadonlyArray<string> => {
  const set = new Set(chosen)
  return grouped(sessions).map((s) => s.id).filter((id) => set.has(id))
}
