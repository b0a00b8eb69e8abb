// createFiles benchmark: FILES files of ~100 KB (Codex rollouts spread over day folders) made
// beforehand; then, in each round, `cp -r` of them against one `tx.createFiles` of the same
// files into a fresh temp home (every file fsynced, renamed into place, each folder fsynced,
// three journal records), and `cp -r` then `sync -f` (what a durable copy costs), with the
// content of createFiles:
// - streamed from the files, read in chunks of up to 1 MB with synchronous reads (what cp does);
// - streamed from the files with fs.createReadStream (as the installer reads its staged files);
// - from memory (the journal's own cost);
// and, with --legacy, one `tx.createFile` per file (on a fifth of them). Dirty pages are flushed
// (`sync`) before each measure; the rounds interleave the variants. Prints medians and ratios.
//
//   pnpm exec tsx packages/journal/bench/createFiles.ts [FILES] [--rounds N] [--legacy]
import { measure } from "@sessionport/codex-oracle/Bench"
import { Effect, Option, Stream } from "effect"
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Journal } from "../src/index.js"

const BYTES = 100 * 1024
const DAYS = 10
const CHUNK = 1024 * 1024

const args = process.argv.slice(2)
const rounds = args.includes("--rounds") ? Number(args[args.indexOf("--rounds") + 1]) : 7
const count = Number(args.find((arg, i) => /^\d+$/.test(arg) && args[i - 1] !== "--rounds") ?? 1000)
const legacy = args.includes("--legacy")

const rel = (i: number) =>
  path.join(
    "sessions",
    "2026",
    "12",
    String(1 + (i % DAYS)).padStart(2, "0"),
    `rollout-2026-12-01T09-00-00-0199b000-0000-7000-8000-${String(i).padStart(12, "0")}.jsonl`
  )

/** ~100 KB of JSONL lines, different for each file */
const contentOf = (i: number): Buffer => {
  const lines: Array<string> = []
  let size = 0
  for (let n = 0; size < BYTES; n++) {
    const line = JSON.stringify({ type: "response_item", n, file: i, text: randomBytes(96).toString("base64") }) + "\n"
    lines.push(line)
    size += line.length
  }
  return Buffer.from(lines.join("").slice(0, BYTES - 1) + "\n")
}

/** a file in chunks of up to 1 MB, read synchronously (a read from the page cache is short) */
const syncReads = (file: string): Stream.Stream<Uint8Array> =>
  Stream.unwrapScoped(Effect.map(
    Effect.acquireRelease(Effect.sync(() => fs.openSync(file, "r")), (fd) => Effect.sync(() => fs.closeSync(fd))),
    (fd) => {
      let left = fs.fstatSync(fd).size + 1
      return Stream.repeatEffectOption(Effect.suspend(() => {
        const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK, left)))
        const n = fs.readSync(fd, buffer, 0, buffer.byteLength, null)
        left -= n
        return n === 0 ? Effect.fail(Option.none()) : Effect.succeed(buffer.subarray(0, n))
      }))
    }
  ))

/** as Installer.ts reads its staged files */
const readStream = (file: string): Stream.Stream<Uint8Array> =>
  Stream.orDie(Stream.fromAsyncIterable(fs.createReadStream(file, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>, (e) => e))

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const main = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-bench-createfiles-"))
  const source = path.join(dir, "source")
  const contents = Array.from({ length: count }, (_, i) => contentOf(i))
  for (let i = 0; i < count; i++) {
    fs.mkdirSync(path.dirname(path.join(source, rel(i))), { recursive: true })
    fs.writeFileSync(path.join(source, rel(i)), contents[i]!)
  }
  const total = contents.reduce((n, c) => n + c.byteLength, 0)
  console.log(
    `node ${process.version}, ${os.cpus().length} cores, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? "4 (default)"}; ` +
      `${count} files of ${BYTES / 1024} KB (${(total / 2 ** 20).toFixed(0)} MB) in ${DAYS} folders; ${rounds} rounds`
  )
  let homes = 0
  const home = () => {
    const home = path.join(dir, `home-${homes++}`)
    fs.mkdirSync(home)
    return home
  }
  const createFiles = (content: (i: number) => Stream.Stream<Uint8Array> | Uint8Array) => () => {
    const target = home()
    return Effect.runPromise(
      Journal.make({ codexHome: target }).transaction({ kind: "bench" }, (tx) =>
        tx.createFiles(
          Array.from({ length: count }, (_, i) => ({
            path: path.join(target, rel(i)),
            content: content(i),
            mtime: new Date(Date.UTC(2026, 11, 1 + (i % DAYS)))
          }))
        ))
    ).then(() => {
      for (let i = 0; i < count; i += 97) {
        if (!fs.readFileSync(path.join(target, rel(i))).equals(contents[i]!)) throw new Error(`${target}: ${rel(i)} differs`)
      }
    })
  }
  const n = Math.ceil(count / 5)
  const variants: Array<{ readonly label: string; readonly run: () => Promise<unknown>; readonly files: number }> = [
    { label: "cp -r", files: count, run: async () => execFileSync("cp", ["-r", source, path.join(dir, `cp-${homes++}`)]) },
    {
      label: "cp -r, then sync -f (a durable copy)",
      files: count,
      run: async () => {
        const copy = path.join(dir, `cp-${homes++}`)
        execFileSync("cp", ["-r", source, copy])
        execFileSync("sync", ["-f", copy])
      }
    },
    {
      label: "createFiles, streamed from the files (sync reads)",
      files: count,
      run: createFiles((i) => syncReads(path.join(source, rel(i))))
    },
    {
      label: "createFiles, streamed (fs.createReadStream)",
      files: count,
      run: createFiles((i) => readStream(path.join(source, rel(i))))
    },
    { label: "createFiles, from memory", files: count, run: createFiles((i) => contents[i]!) },
    ...(legacy
      ? [{
        label: `createFile × ${n}, one operation a file`,
        files: n,
        run: () => {
          const target = home()
          return Effect.runPromise(
            Journal.make({ codexHome: target }).transaction({ kind: "bench" }, (tx) =>
              Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) =>
                tx.createFile(path.join(target, rel(i)), contents[i]!), { discard: true }))
          )
        }
      }]
      : [])
  ]
  const times = variants.map(() => [] as Array<number>)
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [v, variant] of variants.entries()) {
        execFileSync("sync")
        times[v]!.push((await measure(variant.run)).ms)
      }
      // deleting is slow here (discard): outside the measures
      for (const name of fs.readdirSync(dir).filter((name) => name !== "source")) {
        fs.rmSync(path.join(dir, name), { recursive: true, force: true })
      }
    }
    // this machine's times swing (cp -r of the same files from 60 to 600 ms): medians and bests
    const cp = median(times[0]!)
    const cpBest = Math.min(...times[0]!)
    console.log(`${"".padEnd(50)} median    best   ratios to cp -r (median, best)`)
    for (const [v, variant] of variants.entries()) {
      const ms = median(times[v]!)
      const best = Math.min(...times[v]!)
      const ratios = v === 0 ? "" : `${(ms / cp).toFixed(2)}  ${(best / cpBest).toFixed(2)}`
      console.log(
        `${variant.label.padEnd(50)} ${ms.toFixed(0).padStart(6)} ${best.toFixed(0).padStart(7)} ms  ${ratios.padEnd(11)}  ` +
          `${(ms / variant.files).toFixed(2)} ms/file  (rounds: ${times[v]!.map((t) => t.toFixed(0)).join(", ")})`
      )
    }
    console.log("target: createFiles <= 2 × cp -r")
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main()
