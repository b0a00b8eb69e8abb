/**
 * A Codex home of many generated sessions, for benchmarks and scale tests: rollouts in date
 * folders and, optionally, a `state_5.sqlite` with the real 0.169 schema (copied from the
 * fixture) holding one `threads` row per session.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fixtureHome, openDatabase } from "./Fixtures.js"
import { generateRollout, rolloutPath, uuid } from "./SyntheticRollout.js"

/** @since 0.1.0 @category models */
export interface SyntheticSession {
  readonly id: string
  readonly path: string
  readonly cwd: string
  readonly bytes: number
}

/** @since 0.1.0 @category models */
export interface HomeOptions {
  readonly sessions: number
  readonly bytesPerSession: number
  readonly cwds: ReadonlyArray<string>
  readonly database: boolean
  /** ids start here, so two homes can share or avoid ids */
  readonly firstId?: number
}

/**
 * Writes the home under `root` (created if needed) and answers its sessions.
 *
 * @since 0.1.0
 * @category constructors
 */
export const writeHome = async (root: string, options: HomeOptions): Promise<ReadonlyArray<SyntheticSession>> => {
  fs.mkdirSync(root, { recursive: true })
  const sessions: Array<SyntheticSession> = []
  const base = Date.UTC(2026, 3, 1, 8, 0, 0)
  for (let n = 0; n < options.sessions; n++) {
    const id = uuid((options.firstId ?? 1) + n)
    const startedAt = new Date(base + n * 60_000)
    const cwd = options.cwds[n % options.cwds.length]!
    const file = rolloutPath(root, id, startedAt)
    const { bytes } = await generateRollout(file, options.bytesPerSession, { id, cwd, startedAt })
    sessions.push({ id, path: file, cwd, bytes })
  }
  if (options.database) seedDatabase(root, sessions)
  return sessions
}

const seedDatabase = (root: string, sessions: ReadonlyArray<SyntheticSession>) => {
  const file = path.join(root, "state_5.sqlite")
  fs.copyFileSync(path.join(fixtureHome, "state_5.sqlite"), file)
  const db = openDatabase(file)
  try {
    db.exec("DELETE FROM thread_dynamic_tools; DELETE FROM threads;")
    const insert = db.prepare(
      `INSERT INTO threads (id, rollout_path, created_at, updated_at, created_at_ms, updated_at_ms, source,
        model_provider, cwd, title, sandbox_policy, approval_mode, first_user_message, preview, cli_version, archived)
       VALUES (?, ?, ?, ?, ?, ?, 'cli', 'openai', ?, ?, '{"type":"workspace-write"}', 'on-request', ?, ?, '0.125.0', 0)`
    )
    db.exec("BEGIN")
    sessions.forEach((s, n) => {
      const ms = Date.UTC(2026, 3, 1, 8, 0, 0) + n * 60_000
      insert.run(s.id, s.path, Math.floor(ms / 1000), Math.floor(ms / 1000), ms, ms, s.cwd, "please fix item 0", "please fix item 0", "please fix item 0")
    })
    db.exec("COMMIT")
  } finally {
    db.close()
  }
}
