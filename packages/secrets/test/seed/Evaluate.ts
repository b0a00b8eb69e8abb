/**
 * Scoring a scan against the truth list: recall (a planted secret is found when findings of its
 * record cover every sensitive part, and one of them is of the secret's family), false findings,
 * and the redaction check. Shared by the threshold test and the benchmark.
 */
import * as fs from "node:fs"
import { type Finding, Redactor, Scanner } from "../../src/index.js"
import type { JsonPath } from "./Carriers.js"
import type { Planted } from "./Corpus.js"
import type { Agent, Format } from "./Sources.js"

/** the chunk size export reads with */
export const CHUNK = 64 * 1024

/**
 * A file through `Scanner.make`, in `chunk`-byte reads of one reused buffer (the writer's way);
 * `progress` is told the bytes read so far after each chunk.
 */
export const scan = async (
  abs: string,
  agent: Agent,
  format: Format,
  options: { readonly chunk?: number; readonly progress?: (bytes: number) => void } = {}
): Promise<Scanner.ScanResult> => {
  const chunk = options.chunk ?? CHUNK
  const scanner = Scanner.make({ agent, format })
  const buffer = Buffer.alloc(chunk)
  const fd = fs.openSync(abs, "r")
  let read = 0
  try {
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, chunk, null)
      if (n === 0) break
      await scanner.write(buffer.subarray(0, n))
      read += n
      options.progress?.(read)
    }
  } finally {
    fs.closeSync(fd)
  }
  return scanner.end()
}

export const linesOf = (abs: string): Array<string> => {
  const lines = fs.readFileSync(abs, "utf8").split("\n")
  if (lines[lines.length - 1] === "") lines.pop()
  return lines
}

const getAt = (root: unknown, p: JsonPath): unknown => p.reduce<any>((o, k) => (o == null ? undefined : o[k]), root)

/** the text a finding covers, read from the record itself (not from `finding.secret`) */
export const coveredText = (line: string, f: Finding.Finding): string => {
  const value = f.path.length === 0 ? line : getAt(JSON.parse(line), f.path)
  return typeof value === "string" ? value.slice(f.start, f.end) : ""
}

/** A value's shape without the value: its first characters, then its length. */
export const shapeOf = (value: string): string => {
  const head = value.slice(0, Math.min(8, Math.floor(value.length / 4)))
  return `${head.replace(/\n/g, "⏎")}…(${value.length} chars)`
}

export interface Miss {
  readonly entry: Planted
  readonly reason: "not found" | "partly covered" | "other kind"
  /** kinds of the findings in that record */
  readonly found: ReadonlyArray<string>
}

export interface Recall {
  readonly planted: number
  readonly found: number
  readonly misses: ReadonlyArray<Miss>
}

/** Recall of `truth` given each planted file's scan result (by corpus file name) and lines. */
export const recall = (
  truth: ReadonlyArray<Planted>,
  results: ReadonlyMap<string, Scanner.ScanResult>,
  lines: (file: string) => ReadonlyArray<string>
): Recall => {
  const misses: Array<Miss> = []
  for (const entry of truth) {
    const line = lines(entry.file)[entry.record - 1] ?? ""
    const inRecord = (results.get(entry.file)?.findings ?? []).filter((f) => f.record === entry.record)
    const texts = inRecord.map((f) => ({ kind: f.kind, text: coveredText(line, f) }))
    const covering = texts.filter((t) => entry.secret.parts.some((p) => t.text.includes(p)))
    const found = inRecord.map((f) => f.kind)
    if (covering.length === 0) misses.push({ entry, reason: "not found", found })
    else if (!entry.secret.parts.every((p) => covering.some((t) => t.text.includes(p)))) misses.push({ entry, reason: "partly covered", found })
    else if (!covering.some((t) => entry.secret.family.test(t.kind))) misses.push({ entry, reason: "other kind", found })
  }
  return { planted: truth.length, found: truth.length - misses.length, misses }
}

export const describeMiss = (m: Miss): string =>
  `${m.entry.kind} (${m.entry.agent} ${m.entry.carrier}, ${m.entry.file}#${m.entry.record} ${JSON.stringify(m.entry.path)}): ` +
  `${m.reason}${m.found.length > 0 ? ` [record has: ${m.found.join(", ")}]` : ""}; value ${shapeOf(m.entry.secret.value)}`

/**
 * A file with each record that has findings redacted (`Redactor.redactLine`, from the scan's copy
 * of the line), the others as they are.
 */
export const redactedLines = (lines: ReadonlyArray<string>, result: Scanner.ScanResult): Array<string> => {
  const byRecord = new Map<number, Array<Finding.Finding>>()
  for (const f of result.findings) byRecord.set(f.record, [...(byRecord.get(f.record) ?? []), f])
  return lines.map((line, i) => {
    const findings = byRecord.get(i + 1)
    return findings === undefined ? line : Redactor.redactLine(result.lines.get(i + 1) ?? line, findings)
  })
}

export const perTenMb = (count: number, bytes: number): number => (count * 10 * 2 ** 20) / Math.max(bytes, 1)
