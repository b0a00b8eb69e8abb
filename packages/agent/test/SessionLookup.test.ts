import { assert, describe, it } from "@effect/vitest"
import { SessionLookup } from "@sessionport/agent"
import type { SessionSummary } from "@sessionport/agent/AgentStore"

// Ids as the agents write them: Codex's UUIDv7 of one minute share their first 10 characters,
// Claude Code's UUIDv4, OpenCode's `ses_` ids (the same fixed start, then a timestamp).
const CODEX_A = "01a1fd65-379f-7a43-afe4-ac7137446cd7"
const CODEX_B = "01a1fd65-3c69-71e1-99ad-153c74f724d1"
const CODEX_C = "01a1fd65-3d28-7633-9bbd-574c1bb66247"
const CODEX_D = "01a1fd65-3de4-7372-a6d5-c2160fadf6d4"
const CLAUDE_A = "2b943e55-bf8c-4f73-a213-5205f81f9fcd"
const CLAUDE_B = "9ae4d603-f894-4648-9a23-49cb8896882f"
const OPENCODE_A = "ses_db0c9b6fbffeWeRfbm5QU9Wup6"
const OPENCODE_B = "ses_db0c99832ffeaYUmzvoCqn6Xui"

const session = (agent: string, id: string, name?: string, title?: string): SessionSummary => ({
  agent,
  id,
  title: name ?? title,
  name,
  cwd: "/home/alice/proj",
  createdAt: undefined,
  updatedAt: "2026-12-07T10:00:00.000Z",
  size: 1,
  archived: false,
  path: `/home/alice/${id}.jsonl`
})

const SESSIONS: ReadonlyArray<SessionSummary> = [
  session("codex", CODEX_A, undefined, "Look around this project"),
  session("codex", CODEX_B, "Release checklist"),
  session("codex", CODEX_C, undefined, "Throwaway question"),
  session("codex", CODEX_D),
  session("claude", CLAUDE_A, undefined, "turn one: use-tool"),
  session("claude", CLAUDE_B, "fixture named session"),
  session("opencode", OPENCODE_A, "Mock title 1"),
  session("opencode", OPENCODE_B, "Mock title 2")
]

const found = (given: string, sessions: ReadonlyArray<SessionSummary> = SESSIONS): string => {
  const result = SessionLookup.match(given, sessions)
  if (result instanceof SessionLookup.SessionLookupError) return assert.fail(`${given}: ${result.detail}`)
  return result.id
}

const refused = (given: string, sessions: ReadonlyArray<SessionSummary> = SESSIONS): SessionLookup.SessionLookupError => {
  const result = SessionLookup.match(given, sessions)
  if (!(result instanceof SessionLookup.SessionLookupError)) return assert.fail(`${given}: found ${result.id}`)
  return result
}

describe("SessionLookup.match", () => {
  it("a full id, a unique prefix of one (any letter case), a name", () => {
    assert.strictEqual(found(CODEX_C), CODEX_C)
    assert.strictEqual(found(OPENCODE_B), OPENCODE_B)
    assert.strictEqual(found("01a1fd65-3c"), CODEX_B)
    assert.strictEqual(found("01A1FD65-3D2"), CODEX_C)
    assert.strictEqual(found("2b94"), CLAUDE_A)
    assert.strictEqual(found("ses_db0c9b"), OPENCODE_A)
    assert.strictEqual(found("Release checklist"), CODEX_B)
    assert.strictEqual(found("fixture named session"), CLAUDE_B)
    assert.strictEqual(found("Mock title 2"), OPENCODE_B)
  })

  it("a name in another letter case, when no name matches exactly", () => {
    assert.strictEqual(found("release CHECKLIST"), CODEX_B)
    assert.strictEqual(found("MOCK TITLE 1"), OPENCODE_A)
  })

  it("a title that is no name (a first prompt) names nothing", () => {
    assert.strictEqual(refused("Look around this project").reason, "not_found")
  })

  it("an exact id beats a session named like it", () => {
    const sessions = [...SESSIONS, session("claude", "3c3c3c3c-0000-4000-8000-000000000000", CODEX_A)]
    assert.strictEqual(found(CODEX_A, sessions), CODEX_A)
  })

  it("a name beats an id prefix", () => {
    // "9ae4" is a prefix of CLAUDE_B's id, and the name of another session
    const named = "0b0b0b0b-0000-4000-8000-000000000000"
    const sessions = [...SESSIONS, session("codex", named, "9ae4")]
    assert.strictEqual(found("9ae4", sessions), named)
    assert.strictEqual(found("9ae4", SESSIONS), CLAUDE_B)
  })

  it("an exact name beats a name in another letter case; two in other cases are ambiguous", () => {
    const lower = "0c0c0c0c-0000-4000-8000-000000000000"
    const sessions = [...SESSIONS, session("claude", lower, "release checklist")]
    assert.strictEqual(found("Release checklist", sessions), CODEX_B)
    assert.strictEqual(found("release checklist", sessions), lower)
    const error = refused("RELEASE CHECKLIST", sessions)
    assert.strictEqual(error.reason, "ambiguous")
    assert.strictEqual(
      error.message,
      `"RELEASE CHECKLIST" names 2 sessions: codex ${CODEX_B} "Release checklist"; claude ${lower} "release checklist"; give more of the id`
    )
  })

  it("an ambiguous prefix is refused, naming every candidate (agent, id, name or title)", () => {
    const error = refused("01a1fd65-3d")
    assert.strictEqual(error.reason, "ambiguous")
    assert.strictEqual(error.given, "01a1fd65-3d")
    assert.strictEqual(
      error.message,
      `"01a1fd65-3d" names 2 sessions: codex ${CODEX_C} "Throwaway question"; codex ${CODEX_D}; give more of the id`
    )
    // a prefix two agents share is ambiguous across them
    const shared = [...SESSIONS, session("claude", "01a1fd65-3cff-4000-8000-000000000000", undefined, "a Claude session")]
    assert.strictEqual(
      refused("01a1fd65-3c", shared).message,
      `"01a1fd65-3c" names 2 sessions: codex ${CODEX_B} "Release checklist"; claude 01a1fd65-3cff-4000-8000-000000000000 "a Claude session"; give more of the id`
    )
  })

  it("many candidates: the first eight, and how many more", () => {
    const many = Array.from({ length: 11 }, (_, i) => session("codex", `0d0d0d0d-0000-4000-8000-0000000000${String(i).padStart(2, "0")}`))
    const error = refused("0d0d", many)
    assert.strictEqual(error.reason, "ambiguous")
    const shown = many.slice(0, 8).map((s) => `codex ${s.id}`).join("; ")
    assert.strictEqual(error.message, `"0d0d" names 11 sessions: ${shown}; and 3 more; give more of the id`)
  })

  it("nothing matches: not_found, saying what may be given", () => {
    const error = refused("ffff")
    assert.strictEqual(error.reason, "not_found")
    assert.strictEqual(error.message, `no session matches "ffff" (an id, a unique prefix of one, or a session's name)`)
    assert.strictEqual(refused("01a1fd65-3c", []).reason, "not_found")
  })
})

describe("SessionLookup.isFullId", () => {
  it("whole ids are taken as they are; anything shorter is a prefix to resolve", () => {
    for (const id of [CODEX_A, CLAUDE_B, OPENCODE_A, OPENCODE_B, CODEX_A.toUpperCase()]) assert.isTrue(SessionLookup.isFullId(id), id)
    // an OpenCode id is `ses_` and 26 characters: a long prefix of one is no id
    for (const prefix of [OPENCODE_A.slice(0, -1), OPENCODE_A.slice(0, 24), "ses_db0c9b", CODEX_A.slice(0, -1), "01a1fd65", "Release checklist"]) {
      assert.isFalse(SessionLookup.isFullId(prefix), prefix)
    }
  })
})

describe("SessionLookup.shortIds", () => {
  const ids = [CODEX_A, CODEX_B, CODEX_C, CODEX_D, CLAUDE_A, CLAUDE_B, OPENCODE_A, OPENCODE_B]

  it("the shortest prefix no other id shares, at least 8 characters (OpenCode: 8 after `ses_`)", () => {
    const short = SessionLookup.shortIds(ids)
    assert.deepStrictEqual(Object.fromEntries(short), {
      [CODEX_A]: "01a1fd65-37",
      [CODEX_B]: "01a1fd65-3c",
      [CODEX_C]: "01a1fd65-3d2",
      [CODEX_D]: "01a1fd65-3de",
      [CLAUDE_A]: "2b943e55",
      [CLAUDE_B]: "9ae4d603",
      [OPENCODE_A]: "ses_db0c9b6f",
      [OPENCODE_B]: "ses_db0c9983"
    })
  })

  it("each short id names its session alone (match takes it back), whatever the order or repeats", () => {
    const short = SessionLookup.shortIds([...ids].reverse().concat(ids))
    assert.strictEqual(short.size, ids.length)
    for (const id of ids) {
      const prefix = short.get(id)!
      assert.isTrue(id.startsWith(prefix), id)
      assert.isAtLeast(prefix.length, id.startsWith("ses_") ? 12 : 8, id)
      assert.deepStrictEqual(ids.filter((other) => other.startsWith(prefix)), [id], prefix)
      assert.strictEqual(found(prefix), id)
    }
  })

  it("another minimum; an id alone", () => {
    assert.deepStrictEqual(Object.fromEntries(SessionLookup.shortIds([CLAUDE_A, CLAUDE_B, CODEX_A, CODEX_B], 4)), {
      [CLAUDE_A]: "2b94",
      [CLAUDE_B]: "9ae4",
      [CODEX_A]: "01a1fd65-37",
      [CODEX_B]: "01a1fd65-3c"
    })
    assert.deepStrictEqual(Object.fromEntries(SessionLookup.shortIds([CODEX_D])), { [CODEX_D]: "01a1fd65" })
    assert.deepStrictEqual(Object.fromEntries(SessionLookup.shortIds([OPENCODE_A])), { [OPENCODE_A]: "ses_db0c9b6f" })
  })
})
