/** Where transactions live and how their `transaction.json` is read and (durably) written. */
import { Effect, ParseResult, Schema } from "effect"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as Path from "node:path"
import { UUID, uuidv7 } from "uuidv7"
import { JournalError } from "../JournalError.js"
import { TransactionRecord } from "../TransactionRecord.js"
import * as Crash from "./crash.js"
import { atomicWrite, errnoCode, io } from "./files.js"

/** @internal */
export const RECORD = "transaction.json"
/** @internal */
export const BACKUPS = "backups"
/** @internal staged content of `appendFiles`, by operation seq */
export const APPENDS = "appends"
/** @internal where people move damaged transactions out of the journal (not an id: never listed) */
export const DAMAGED = "damaged"

/** @internal `<codexHome>/sessionport/journal` */
export const journalDirOf = (codexHome: string): string => Path.join(codexHome, "sessionport", "journal")

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** @internal */
export const isId = (name: string): boolean => ID.test(name)

/** @internal the ms timestamp inside a UUIDv7 */
export const idTime = (id: string): number => parseInt(id.replace(/-/g, "").slice(0, 12), 16)

/**
 * @internal
 * A UUIDv7 greater than `after`: ids order transactions even when the clock stepped back or
 * two were made in the same millisecond.
 */
export const newId = (after: string | undefined): string => {
  const id = uuidv7()
  if (after === undefined || id > after) return id
  const r = randomBytes(10)
  return UUID.fromFieldsV7(idTime(after) + 1, r.readUInt16BE(0) & 0x0fff, r.readUInt32BE(2) & 0x3fffffff, r.readUInt32BE(6))
    .toString()
}

/** @internal transaction ids in the journal folder, oldest first (UUIDv7 order) */
export const listIds = (journalDir: string): Effect.Effect<Array<string>, JournalError> =>
  io(journalDir, "cannot list the journal", async () => {
    try {
      return (await fs.readdir(journalDir)).filter(isId).sort()
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return []
      throw error
    }
  })

/** @internal a transaction's record; `undefined` when its folder has none (it died being created) */
export const readRecord = (
  journalDir: string,
  id: string
): Effect.Effect<TransactionRecord | undefined, JournalError> =>
  Effect.gen(function*() {
    const path = Path.join(journalDir, id, RECORD)
    const text = yield* io(path, "cannot read", async () => {
      try {
        return await fs.readFile(path, "utf8")
      } catch (error) {
        if (errnoCode(error) === "ENOENT") return undefined
        throw error
      }
    })
    if (text === undefined) return undefined
    const damaged = (problem: string) => damagedRecord(journalDir, id, problem, lastStateOf(text))
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      return yield* damaged(String(error))
    }
    const decoded = Schema.decodeUnknownEither(TransactionRecord)(json)
    if (decoded._tag === "Left") {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)[0]
      return yield* damaged(
        issue === undefined ? decoded.left.message : `${issue.path.join(".") || "(record)"}: ${issue.message}`
      )
    }
    if (decoded.right.id !== id) return yield* damaged(`it records transaction ${decoded.right.id}`)
    return decoded.right
  })

/**
 * @internal
 * What a record's text still tells of its transaction, read as `isCompleted` reads it: by the
 * record's own top-level lines, so a record damaged further down is still told apart.
 */
export type LastState = "completed" | "undone" | "unfinished" | "rolling_back" | "unknown"

/** @internal */
export const lastStateOf = (text: string): LastState => {
  const status = TOP_LEVEL_STATUS.exec(text)?.[1]
  if (status === "completed") return TOP_LEVEL_ROLLBACK.test(text) ? "rolling_back" : "completed"
  if (status === "rolled_back" || status === "failed") return "undone"
  return status === "prepared" ? "unfinished" : "unknown"
}

/** @internal the state of a record that decodes, as `lastStateOf` tells it from the text */
export const lastStateOfRecord = (record: TransactionRecord): LastState =>
  record.status === "prepared"
    ? "unfinished"
    : record.status === "completed"
    ? record.rollback === undefined ? "completed" : "rolling_back"
    : "undone"

const CONSEQUENCE: Record<LastState, string> = {
  completed: "it completed, so its changes are in place",
  undone: "its changes were undone already",
  unfinished: "it was left unfinished, so the Codex home may be half-written",
  rolling_back: "a rollback of it did not finish, so the Codex home may be partly restored",
  unknown: "its status cannot be read: if it was left unfinished, the Codex home may be half-written"
}

/**
 * @internal
 * The refusal to use a record (`bad_journal`), saying what its transaction may have left and
 * what to do: sessionport never guesses what a damaged record meant, so a person checks the
 * home against it and then moves the transaction's folder out of the journal.
 */
export const damagedRecord = (journalDir: string, id: string, problem: string, state: LastState): JournalError => {
  const aside = `move ${Path.join(journalDir, id)} into ${Path.join(journalDir, DAMAGED)}${Path.sep}`
  const todo = state === "undone"
    ? aside
    : `check the home against what it lists (its backups/ holds the files it replaced), undo by hand what must be undone, then ${aside}`
  return new JournalError({
    reason: "bad_journal",
    path: Path.join(journalDir, id, RECORD),
    transaction: id,
    detail: `${problem}; transaction ${id} cannot be rolled back: ${CONSEQUENCE[state]}; ${todo}`
  })
}

/**
 * @internal
 * A completed transaction, told from its record's text without decoding it: `serialize` writes
 * the record's own fields two spaces in (nested values are deeper), so the top-level `status`
 * is found by its indentation. Recovery runs before every command and reads every record:
 * a completed one (the usual case) then costs a read, not a decode of thousands of operations.
 */
export const isCompleted = (journalDir: string, id: string): Effect.Effect<boolean, JournalError> =>
  Effect.map(
    io(Path.join(journalDir, id, RECORD), "cannot read", async () => {
      const path = Path.join(journalDir, id, RECORD)
      try {
        // a record that says its state in its head (`serialize` writes it so) is read no further:
        // recovery, before every command, then costs a few KiB per transaction, however large
        const handle = await fs.open(path, "r")
        try {
          const head = Buffer.alloc(HEAD_BYTES)
          const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0)
          const text = head.subarray(0, bytesRead).toString("utf8")
          if (STATE_FIRST.test(text) || bytesRead < HEAD_BYTES) return text
        } finally {
          await handle.close()
        }
        return await fs.readFile(path, "utf8")
      } catch (error) {
        if (errnoCode(error) === "ENOENT") return ""
        throw error
      }
    }),
    (text) => lastStateOf(text) === "completed"
  )

const HEAD_BYTES = 4096
/** a record whose state (its status, and a rollback's progress) comes first */
const STATE_FIRST = /^\{\n {2}"format": \d+,\n {2}"id": "[^"\n]*",\n {2}"status": "[a-z_]+",\n {2}"/

const TOP_LEVEL_STATUS = /\n {2}"status": "([a-z_]+)"/
const TOP_LEVEL_ROLLBACK = /\n {2}"rollback": /

/** @internal an open transaction's folder and its current record */
export interface Holder {
  readonly dir: string
  record: TransactionRecord
}

// Operations are immutable (an update replaces the object): each is serialized once, not at every
// later step of its transaction (a batch of a thousand files, SQL rows, appended text).
const operationText = new WeakMap<object, string>()
const OPERATIONS = `@@operations-${randomBytes(8).toString("hex")}@@`

/**
 * @internal
 * The record as JSON: its fields two spaces in, the transaction's state first (`status`, then a
 * rollback's progress, before the summary; the operations last: `isCompleted` reads only the head),
 * each operation on one line (compact: a record grows with what changed, not with indentation).
 * Each operation's text is kept for the next save.
 */
export const serialize = (record: TransactionRecord): string => {
  const operations = record.operations.map((op) => {
    let text = operationText.get(op)
    if (text === undefined) {
      text = `    ${JSON.stringify(op)}`
      operationText.set(op, text)
    }
    return text
  })
  const list = operations.length === 0 ? "[]" : `[\n${operations.join(",\n")}\n  ]`
  const { format, id, operations: _, rollback, status, ...rest } = record
  const ordered = { format, id, status, ...(rollback === undefined ? {} : { rollback }), ...rest, operations: OPERATIONS }
  return `${JSON.stringify(ordered, null, 2).replace(`"${OPERATIONS}"`, () => list)}\n`
}

/** @internal rewrites `transaction.json` atomically: one durable journal step */
export const save = (holder: Holder, label: string): Effect.Effect<void, JournalError> =>
  Crash.simpleStep(
    `journal: ${label}`,
    Effect.suspend(() => atomicWrite(Path.join(holder.dir, RECORD), serialize(holder.record)))
  )
