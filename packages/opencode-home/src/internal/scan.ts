/**
 * The check of a package's OpenCode transcript while the package is verified (one pass, before
 * anything is written): every line is a row of this session, of OpenCode's id scheme, and of the
 * shape its table needs. What it finds is kept for install: the session row, the counts, and the
 * first problem (a hostile or damaged row refuses the whole package).
 */
import { LineDecoder, OpencodeLine, RolloutRecord } from "@sessionport/schema"
import { Either } from "effect"
import { isId } from "./ids.js"

/** @internal what verify keeps of a transcript */
export interface TranscriptScan {
  /** the session line, parsed */
  readonly session: Readonly<Record<string, unknown>> | undefined
  readonly messages: number
  readonly parts: number
  readonly todos: number
  /** the todo lines, parsed (a session's todo list is short) */
  readonly todoLines: ReadonlyArray<Readonly<Record<string, unknown>>>
  /** the first thing that makes the transcript uninstallable, for one line */
  readonly problem: string | undefined
  /** the columns its rows have, by table (`table.column`) */
  readonly columns: ReadonlyArray<string>
}

type Parsed = { readonly json: unknown; readonly raw: string }

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** @internal */
export class TranscriptScanner {
  private readonly decoder = new LineDecoder.LineDecoder<Parsed>({
    decode: (raw, lineNumber, terminated) => {
      try {
        return Either.right({ json: raw.trim() === "" ? undefined : JSON.parse(raw), raw })
      } catch {
        return Either.left(new RolloutRecord.InvalidLine({ lineNumber, reason: "not JSON", raw, terminated }))
      }
    }
  })
  private line = 0
  private session: Record<string, unknown> | undefined
  private readonly messageIds = new Set<string>()
  private messages = 0
  private parts = 0
  private todos = 0
  private readonly todoLines: Array<Record<string, unknown>> = []
  private problem: string | undefined
  private readonly columns = new Set<string>()

  push(bytes: Uint8Array): boolean {
    for (const result of this.decoder.linesOfBytes(bytes)) {
      this.take(result)
      if (this.problem !== undefined) return false
    }
    return true
  }

  end(): TranscriptScan {
    if (this.problem === undefined) for (const result of this.decoder.end()) this.take(result)
    if (this.problem === undefined && this.session === undefined) this.problem = "it holds no session row"
    return {
      session: this.session,
      messages: this.messages,
      parts: this.parts,
      todos: this.todos,
      todoLines: this.todoLines,
      problem: this.problem,
      columns: [...this.columns]
    }
  }

  private check(problem: string | undefined): void {
    if (problem !== undefined) this.fail(problem)
  }

  private fail(reason: string): void {
    this.problem ??= `line ${this.line}: ${reason}`
  }

  private take(result: Either.Either<Parsed, unknown>): void {
    if (this.problem !== undefined) return
    this.line++
    if (Either.isLeft(result)) return this.fail("not JSON")
    const { json, raw } = result.right
    if (raw.trim() === "") return
    if (!isRecord(json)) return this.fail("not a JSON object")
    const type = json.type
    for (const key of Object.keys(json)) {
      if (key !== "type") this.columns.add(`${String(type)}.${key === "data_text" ? "data" : key}`)
    }
    // ids and ownership first (their message names the row), then the row's shape
    const shape = () => {
      const decoded = OpencodeLine.decode(json)
      return Either.isLeft(decoded) ? `not a row OpenCode 1.18.33 can hold (${decoded.left.message.split("\n")[0]})` : undefined
    }
    if (this.session === undefined) {
      if (type !== "session") return this.fail("the first line is not the session row")
      if (!isId("ses", json.id)) return this.fail(`session id ${JSON.stringify(json.id)} is not of OpenCode's scheme`)
      if (json.parent_id !== null && json.parent_id !== undefined && !isId("ses", json.parent_id)) {
        return this.fail(`parent session id ${JSON.stringify(json.parent_id)} is not of OpenCode's scheme`)
      }
      const bad = shape()
      if (bad !== undefined) return this.fail(bad)
      this.session = json
      return
    }
    const sessionId = this.session.id
    switch (type) {
      case "session":
        return this.fail("a second session row")
      case "message":
        if (!isId("msg", json.id)) return this.fail(`message id ${JSON.stringify(json.id)} is not of OpenCode's scheme`)
        if (json.session_id !== sessionId) return this.fail(`message ${json.id} belongs to session ${JSON.stringify(json.session_id)}, not ${sessionId}`)
        if (this.messageIds.has(json.id)) return this.fail(`message ${json.id} twice`)
        this.messageIds.add(json.id)
        this.messages++
        return this.check(shape())
      case "part":
        if (!isId("prt", json.id)) return this.fail(`part id ${JSON.stringify(json.id)} is not of OpenCode's scheme`)
        if (json.session_id !== sessionId) return this.fail(`part ${json.id} belongs to session ${JSON.stringify(json.session_id)}, not ${sessionId}`)
        if (typeof json.message_id !== "string" || !this.messageIds.has(json.message_id)) {
          return this.fail(`part ${json.id} belongs to message ${JSON.stringify(json.message_id)}, which is not a message of this session before it`)
        }
        this.parts++
        return this.check(shape())
      case "todo":
        if (json.session_id !== sessionId) return this.fail(`a todo belongs to session ${JSON.stringify(json.session_id)}, not ${sessionId}`)
        this.todos++
        this.todoLines.push(json)
        return this.check(shape())
      default:
        return this.fail(`a row of table ${JSON.stringify(type)}, which sessionport does not install`)
    }
  }
}
