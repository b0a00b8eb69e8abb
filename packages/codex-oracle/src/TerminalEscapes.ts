/**
 * Text that would take over a terminal if printed raw: a window title (OSC 0, ended by BEL), a
 * clear screen (CSI 2J), a C1 CSI (0x9b) and a right-to-left override; and a Codex home whose
 * session name, first prompt and working directory hold it. For the tests that human output
 * shows such text escaped and JSON keeps it exact.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { assistant, sessionMeta, userMessage, userResponseItem, writeRollout } from "./SyntheticRollout.js"

/** The hostile text, as a package or a home holds it. */
export const HOSTILE = "pwn\u001b]0;pwned\u0007 \u001b[2J \u009b31m \u202eend"

/** The same, as a terminal may safely show it (written out by hand, not computed). */
export const HOSTILE_ESCAPED = "pwn\\x1b]0;pwned\\x07 \\x1b[2J \\x9b31m \\u202eend"

/** A working directory holding the same controls. */
export const HOSTILE_CWD = "/home/alice/p\u001b]0;pwned\u0007\u001b[2J\u009b\u202ej"

/** What must never reach a terminal from a package or a home: ESC, BEL, any C0 but newline, C1, bidi overrides. */
// eslint-disable-next-line no-control-regex
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

export const HOSTILE_THREAD_ID = "019a0000-0000-7000-8000-0000000000aa"

/**
 * Writes into `home` one session whose name (session_index.jsonl), first prompt and working
 * directory hold the hostile text.
 */
export const writeHostileHome = (home: string): void => {
  writeRollout(home, HOSTILE_THREAD_ID, new Date(Date.UTC(2026, 0, 1)), [
    sessionMeta({ id: HOSTILE_THREAD_ID, cwd: HOSTILE_CWD }),
    userResponseItem(HOSTILE),
    userMessage(HOSTILE),
    assistant("ok")
  ])
  fs.writeFileSync(
    path.join(home, "session_index.jsonl"),
    JSON.stringify({ id: HOSTILE_THREAD_ID, thread_name: HOSTILE, updated_at: "2026-01-01T00:00:00Z" }) + "\n"
  )
}
