// Export benchmark: a home of generated sessions exported to a .tgz, against `tar czf` of the
// same session files in the same process, and peak memory as the home grows.
// `pnpm bench:export [SESSIONS]` (default 1000 sessions of ~100 KB). Prints figures; asserts nothing.
import { NodeContext } from "@effect/platform-node"
import { measure } from "@sessionport/codex-oracle/Bench"
import { writeHome } from "@sessionport/codex-oracle/SyntheticHome"
import { Exporter } from "@sessionport/codex-home"
import * as Progress from "@sessionport/package-format/Progress"
import { Effect, Layer } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const BYTES_PER_SESSION = 100 * 1024

const exportAll = (home: string, out: string) =>
  Effect.runPromise(
    Effect.flatMap(Exporter.Exporter, (exporter) =>
      exporter.export({
        out,
        threadIds: [],
        cwds: [],
        since: undefined,
        all: true,
        includeArchived: true,
        includeSkills: false,
        skipUnreadable: false,
        dryRun: false
      })).pipe(
        Effect.provide(Exporter.layerHome({ root: home }).pipe(Layer.provide(Progress.none), Layer.provide(NodeContext.layer))),
        Effect.provide(NodeContext.layer)
      )
  )

const main = async () => {
  const target = Number(process.argv[2] ?? 1000)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-bench-export-"))
  console.log(`node ${process.version}, ${os.cpus().length} cores, sessions of ~${BYTES_PER_SESSION / 1024} KB`)
  try {
    for (const count of [target / 4, target / 2, target].map(Math.round)) {
      const home = path.join(dir, `home-${count}`)
      const sessions = await writeHome(home, {
        sessions: count,
        bytesPerSession: BYTES_PER_SESSION,
        cwds: ["/Users/u/repos/app", "/Users/u/repos/lib", "/Users/u/work/site"],
        database: true
      })
      const bytes = sessions.reduce((n, s) => n + s.bytes, 0)
      const tarOut = path.join(dir, `tar-${count}.tgz`)
      const reference = await measure(async () =>
        execFileSync("tar", ["czf", tarOut, "-C", home, "sessions"], { stdio: "inherit" }))
      const ours = await measure(() => exportAll(home, path.join(dir, `pkg-${count}.tgz`)))
      const size = (file: string) => (fs.statSync(file).size / 2 ** 20).toFixed(1)
      console.log(
        `${String(count).padStart(5)} sessions, ${(bytes / 2 ** 20).toFixed(0)} MB: ` +
          `tar czf ${reference.ms.toFixed(0)} ms (${size(tarOut)} MB), ` +
          `export ${ours.ms.toFixed(0)} ms (${size(path.join(dir, `pkg-${count}.tgz`))} MB), ` +
          `ratio ${(ours.ms / reference.ms).toFixed(2)} (target <= 1.2), ` +
          `peak memory +${ours.peakMb.toFixed(0)} MB above the bench process (RSS ${ours.rssMb.toFixed(0)} MB with tsx and the sources)`
      )
      // the shipped CLI (bundled bin) on the same home: its whole-process peak RSS
      const bin = path.resolve(import.meta.dirname, "..", "..", "transfer-cli", "bin", "session-transfer.mjs")
      if (fs.existsSync("/usr/bin/time") && fs.existsSync(path.resolve(path.dirname(bin), "..", "dist", "session-transfer.mjs"))) {
        const cliOut = path.join(dir, `cli-${count}.tgz`)
        const started = performance.now()
        const run = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, bin, "export", "--all", "--include-archived", "--codex-home", home, "--out", cliOut, "--json"], { encoding: "utf8" })
        const ms = performance.now() - started
        const maxRssKb = Number(run.stderr.trim().split("\n").pop())
        console.log(
          `      CLI: session-transfer export ${ms.toFixed(0)} ms (ratio ${(ms / reference.ms).toFixed(2)} incl. start-up), ` +
            `max RSS ${(maxRssKb / 1024).toFixed(0)} MB (target < 200 MB)`
        )
      }
      fs.rmSync(home, { recursive: true, force: true })
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main()
