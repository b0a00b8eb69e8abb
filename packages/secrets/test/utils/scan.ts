/**
 * Scans text with a `Scanner` in chunks of `chunk` bytes (whole by default), awaiting writes
 * as a caller must.
 */
import { Scanner } from "@sessionport/secrets"
import { Effect } from "effect"

export const scanBytes = (
  bytes: Uint8Array,
  options: { readonly agent: Scanner.Agent; readonly format: Scanner.Format },
  chunk = bytes.length || 1
): Effect.Effect<Scanner.ScanResult> =>
  Effect.promise(async () => {
    const scanner = Scanner.make(options)
    // a reused buffer, as the package writer's reads are: the scanner must copy what it keeps
    const buffer = new Uint8Array(chunk)
    for (let at = 0; at < bytes.length; at += chunk) {
      const piece = bytes.subarray(at, at + chunk)
      buffer.set(piece)
      const written = scanner.write(buffer.subarray(0, piece.length))
      if (written !== undefined) await written
      buffer.fill(0)
    }
    return scanner.end()
  })

export const scanText = (
  text: string,
  options: { readonly agent: Scanner.Agent; readonly format: Scanner.Format },
  chunk?: number
) => scanBytes(Buffer.from(text, "utf8"), options, chunk)

/** JSONL of records */
export const jsonl = (...records: ReadonlyArray<unknown>): string => records.map((record) => JSON.stringify(record) + "\n").join("")
