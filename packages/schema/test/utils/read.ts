import { NodeContext } from "@effect/platform-node"
import { RolloutReader, type RolloutRecord } from "@sessionport/schema"
import { Chunk, Effect, Stream } from "effect"

/** Every line result of a file through the streaming reader. */
export const readAll = (file: string) =>
  RolloutReader.readFile(file).pipe(
    Stream.runCollect,
    Effect.map(Chunk.toReadonlyArray),
    Effect.provide(NodeContext.layer)
  )

export const kindOf = (record: RolloutRecord.RolloutRecord): string => {
  const entry = record.entry
  const json: any = entry._tag === "Known" || entry._tag === "Legacy"
    ? entry.line
    : entry._tag === "Unknown"
    ? entry.json
    : undefined
  const inner = json?.payload?.type
  return typeof inner === "string" ? `${json.type}/${inner}` : String(json?.type)
}
