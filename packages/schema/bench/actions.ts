// actions.v1 projection throughput and peak memory over a generated session, next to the bare
// RolloutReader pass it runs on, and how soon the first action comes. `pnpm bench:actions [MB]`
// (default 200). Prints figures; fails only if the projection miscounts.
import { NodeContext } from "@effect/platform-node"
import { Actions, RolloutReader } from "@sessionport/schema"
import { measure } from "@sessionport/codex-oracle/Bench"
import { generateRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { Effect, Option, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const run = <A, E>(effect: Effect.Effect<A, E, NodeContext.NodeContext>) =>
  Effect.runPromise(Effect.provide(effect, NodeContext.layer))

const readerOnly = (file: string) => run(Stream.runCount(RolloutReader.readFile(file)))

const projection = (file: string) =>
  run(
    Actions.readFile(file).pipe(
      Stream.runFold({ actions: 0, commands: 0, merged: 0 }, (acc, action) => {
        acc.actions++
        if (action.action_type === "command_execution") {
          acc.commands++
          // argv and duration come from exec_command_end, joined to the call+output pair
          if (Array.isArray(action.command) && action.duration_ms !== null) acc.merged++
        }
        return acc
      })
    )
  )

const firstAction = (file: string) => run(Stream.runHead(Actions.readFile(file)))

const main = async () => {
  const mb = Number(process.argv[2] ?? 200)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-bench-actions-"))
  try {
    console.log(`node ${process.version}, ${os.cpus().length} cores`)
    const file = path.join(dir, "rollout-2026-05-11T08-00-00-019e1625-789d-76c0-80ab-3724b5ddb799.jsonl")
    const { bytes, lines } = await generateRollout(file, mb * 2 ** 20)
    // the generator writes a session_meta, then 12 lines per turn with one exec_command each
    const turns = (lines - 1) / 12
    // the projection first, so its peak is measured from a cold heap
    const ours = await measure(() => projection(file))
    const reader = await measure(() => readerOnly(file))
    const first = await measure(() => firstAction(file))
    const { actions, commands, merged } = ours.result
    if (actions !== 1 + 3 * turns || commands !== turns || merged !== turns) {
      throw new Error(`expected ${1 + 3 * turns} actions (${turns} merged commands), got ${JSON.stringify(ours.result)}`)
    }
    if (Option.isNone(first.result)) throw new Error("no first action")
    const size = bytes / 2 ** 20
    console.log(
      `${size.toFixed(0)} MB, ${lines} lines, ${actions} actions (${commands} commands, each call+output+exec_command_end merged into one)`
    )
    console.log(
      `RolloutReader alone: ${reader.ms.toFixed(0)} ms (${(size / (reader.ms / 1000)).toFixed(0)} MB/s), peak memory +${
        reader.peakMb.toFixed(0)
      } MB`
    )
    console.log(
      `actions.v1: ${ours.ms.toFixed(0)} ms, ${Math.round(actions / (ours.ms / 1000))} actions/s (${
        Math.round(lines / (ours.ms / 1000))
      } lines/s, ${(size / (ours.ms / 1000)).toFixed(0)} MB/s), peak memory +${ours.peakMb.toFixed(0)} MB (RSS ${
        ours.rssMb.toFixed(0)
      } MB)`
    )
    console.log(`first action after ${first.ms.toFixed(1)} ms`)
    // flat memory: a session a quarter the size peaks about as high
    const small = path.join(dir, "rollout-2026-05-11T08-00-00-019e1625-789d-76c0-80ab-3724b5ddb798.jsonl")
    await generateRollout(small, (mb / 4) * 2 ** 20)
    const quarter = await measure(() => projection(small))
    console.log(`actions.v1 at ${(mb / 4).toFixed(0)} MB: peak memory +${quarter.peakMb.toFixed(0)} MB (RSS ${quarter.rssMb.toFixed(0)} MB)`)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main()
