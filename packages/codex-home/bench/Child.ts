// Helpers of the Codex benchmarks (install.ts, sync.ts): the shared child-process runner
// (`@sessionport/codex-oracle/BenchChild`) and generated Codex machines. The sessions were made
// on Windows (`C:\Users\alice\…`), so every install and sync localizes their paths with
// `--map C:\Users\alice=<target HOME>`.
import { type Store } from "@sessionport/codex-oracle/BenchChild"
import { type SyntheticSession, writeHome } from "@sessionport/codex-oracle/SyntheticHome"
import * as fs from "node:fs"
import * as path from "node:path"

export * from "@sessionport/codex-oracle/BenchChild"

/** The source machine's user folder, and the working folders of its sessions (session i in the i % 3rd). */
export const FROM = "C:\\Users\\alice"
export const CWDS = ["Documents\\proj-main", "Documents\\proj-lib", "repos\\site"].map((cwd) => `${FROM}\\${cwd}`)

/**
 * A source machine: HOME `home`, its Codex home `<home>/.codex` with `count` generated sessions of
 * ~`bytes` each and a `state_5.sqlite` holding their rows. Its store's folder is `sessions/`, what
 * the export floors pack.
 */
export const sourceMachine = async (home: string, count: number, bytes: number): Promise<{ readonly store: Store; readonly sessions: ReadonlyArray<SyntheticSession> }> => {
  const codex = path.join(home, ".codex")
  const sessions = await writeHome(codex, { sessions: count, bytesPerSession: bytes, cwds: CWDS, database: true })
  return { store: { home, options: ["--codex-home", codex], folder: path.join(codex, "sessions") }, sessions }
}

/**
 * Makes targets: an empty Codex home with a database (a home where Codex has run) is written once
 * at `template`; each target at HOME `home` is a copy of it at `<home>/.codex`, with the sessions'
 * working folders made under `home` (where `--map` puts them).
 */
export const targetMachines = async (template: string): Promise<(home: string) => Store> => {
  await writeHome(template, { sessions: 0, bytesPerSession: 0, cwds: ["/"], database: true })
  return (home) => {
    const codex = path.join(home, ".codex")
    fs.cpSync(template, codex, { recursive: true })
    for (const cwd of CWDS) fs.mkdirSync(path.join(home, ...cwd.slice(FROM.length + 1).split("\\")), { recursive: true })
    return { home, options: ["--codex-home", codex, "--map", `${FROM}=${home}`], folder: path.join(codex, "sessions") }
  }
}
