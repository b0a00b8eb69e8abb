/**
 * A command in a pseudo-terminal (python3's pty module), answering its prompts in turn: what a
 * person at a terminal does. For prompts read from the terminal only (age's passphrases) or only
 * on one (sessionport's). `missing` says why it cannot run here.
 */
import { spawnSync } from "node:child_process"

/** Why no pseudo-terminal can be made here (`undefined`: it can). */
export const missing: string | undefined = spawnSync("python3", ["-c", "import pty"], { stdio: "ignore" }).status === 0
  ? undefined
  : "python3 with its pty module is not on PATH: it gives the command a terminal"

// each prompt is looked for after where the one before it was answered: a prompt redrawn while
// typing is not asked twice
const DRIVER = `
import fcntl, json, os, pty, re, select, struct, sys, termios
steps = json.loads(sys.argv[1])
env = json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvpe(sys.argv[3], sys.argv[3:], {**os.environ, **env})
# a terminal of 40 rows of 120 columns (a new one has none: prompts would wrap every character)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
seen, at, step = b"", 0, 0
while True:
    try:
        ready, _, _ = select.select([fd], [], [], 120)
        data = os.read(fd, 65536) if ready else b""
    except OSError:
        data = b""
    if not data:
        break
    seen += data
    while step < len(steps):
        found = re.compile(steps[step][0].encode(), re.I).search(seen, at)
        if found is None:
            break
        os.write(fd, steps[step][1].encode() + b"\\r")
        at, step = found.end(), step + 1
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
`

/** The result of a command run in a terminal: its exit status and everything it drew. */
export interface PtyRun {
  readonly status: number | null
  readonly output: string
}

/**
 * Runs `command` in a pseudo-terminal; each step is a prompt (a regular expression, case
 * ignored) and the line typed once it shows.
 */
export const inPty = (
  command: ReadonlyArray<string>,
  steps: ReadonlyArray<readonly [prompt: string, answer: string]>,
  env: Record<string, string> = {}
): PtyRun => {
  const run = spawnSync("python3", ["-c", DRIVER, JSON.stringify(steps), JSON.stringify(env), ...command], { encoding: "utf8", maxBuffer: 1 << 26 })
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}
