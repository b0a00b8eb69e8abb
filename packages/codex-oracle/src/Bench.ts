/**
 * Measuring for benchmark scripts: wall time and peak memory of one run, in this process.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"

/** @since 0.1.0 @category models */
export interface Measured<A> {
  readonly result: A
  readonly ms: number
  /** peak RSS above RSS at the start of the run, MiB */
  readonly peakMb: number
  /** peak RSS, MiB */
  readonly rssMb: number
}

/**
 * Runs `run`, sampling RSS every 5 ms.
 *
 * @since 0.1.0
 * @category constructors
 */
export const measure = async <A>(run: () => Promise<A>): Promise<Measured<A>> => {
  globalThis.gc?.()
  const base = process.memoryUsage().rss
  let peak = base
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
  const start = performance.now()
  try {
    const result = await run()
    const ms = performance.now() - start
    peak = Math.max(peak, process.memoryUsage().rss)
    return { result, ms, peakMb: (peak - base) / 2 ** 20, rssMb: peak / 2 ** 20 }
  } finally {
    clearInterval(timer)
  }
}

/**
 * The reference run of the decode benchmarks: stream the file, split on `\n`, `JSON.parse`
 * every line, nothing else. Answers the number of lines.
 *
 * @since 0.1.0
 * @category references
 */
export const bareJsonParse = async (file: string): Promise<number> => {
  let pending = ""
  let count = 0
  const decoder = new TextDecoder()
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 256 * 1024 })) {
    const text = pending + decoder.decode(chunk as Buffer, { stream: true })
    const parts = text.split("\n")
    pending = parts.pop()!
    for (const line of parts) if (line.length > 0) (JSON.parse(line), count++)
  }
  if (pending.length > 0) (JSON.parse(pending), count++)
  return count
}
