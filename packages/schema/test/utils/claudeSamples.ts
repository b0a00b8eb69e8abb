// Lines of the Claude Code line types no real run produced, shaped as Claude Code 2.1.332's
// embedded JS writes them (the object literal each writer appends; values made up).

const sessionId = "0fc6e20d-e244-4cc1-9fb0-b690aa7ccfa1"
const timestamp = "2026-12-07T05:23:49.509Z"

export const writerShapedLines: ReadonlyArray<Record<string, unknown>> = [
  { type: "summary", summary: "Release checklist for alpha", leafUuid: "4f0fb7a6-4566-4400-9cba-a837dcb85b2d" },
  { type: "tag", tag: "release", sessionId },
  { type: "relocated", sessionId, relocatedCwd: "/tmp/sessionport-claude-src/projects/alpha/.claude/worktrees/w1" },
  { type: "agent-color", agentColor: "blue", sessionId },
  { type: "agent-setting", agentSetting: "reviewer", sessionId },
  {
    type: "pr-link",
    sessionId,
    prNumber: 12,
    prUrl: "https://example.com/sessionport/alpha/pull/12",
    prRepository: "sessionport/alpha",
    timestamp
  },
  { type: "ended-by-model", timestamp, sessionId },
  { type: "continued-in", timestamp, sessionId, continuedInSessionId: "62855230-0b25-43ae-bd8d-9090c38b29d4" },
  { type: "resume-head-vouch", sessionId, sum: "9f2c" },
  {
    type: "api-request-resumed",
    sessionId,
    timestamp,
    version: "2.1.332",
    messageId: "msg_1",
    pausedRequestId: "p",
    resumedRequestId: "r"
  },
  {
    type: "frame-link",
    sessionId,
    path: "frames/a",
    frameUrl: "https://example.com/f",
    title: "A frame",
    artifactCount: 1,
    timestamp
  },
  { type: "observer-ref", sessionId, observer: "o", timestamp },
  {
    type: "worktree-state",
    worktreeSession: { originalCwd: "/tmp/sessionport-claude-src/projects/alpha", worktreePath: "/tmp/w" },
    sessionId
  },
  { type: "repl-mode", replMode: true, typedEvents: true, sessionId },
  { type: "session-owner", accountUuid: "a", organizationUuid: "o", sessionId },
  { type: "hybrid-organization", organizationUuid: "o", sessionId },
  { type: "isolation-latch", side: "local", sessionId },
  { type: "dev-mods", folder: "/tmp/sessionport-claude-src/user/.claude/dev-mods/x", sessionId },
  { type: "memory-mode", mode: "off", afterUuid: null, timestamp, reason: "paused", sessionId },
  { type: "data-flow-records", v: 1, sessionId, records: [{ response_id: "r" }], snapshot: true },
  { type: "data-flow-incomplete", v: 1, sessionId, codes: ["x"] },
  { type: "data-flow-handover", sessionId },
  { type: "derived-from", v: 1, sessionId, sessions: [{ id: "s", via: "fork" }] },
  { type: "history-suppression", sessionId, cause: "migration", ts: timestamp },
  { type: "bridge-session", sessionId, bridgeSessionId: "b", lastSequenceNum: 0 },
  { type: "content-replacement", sessionId, replacements: [{ kind: "tool-result", toolUseId: "t" }] },
  { type: "fork-context-ref", agentId: "a0ef80dce7fcf363f", sessionId },
  { type: "artifact-comment-monitor", v: 1, sessionId, artifacts: {} },
  { type: "artifact-autoreact-ledger", v: 1, sessionId, accountUuid: "a", artifacts: {} },
  { type: "attribution-snapshot", messageId: "m", files: {} },
  { type: "host-row", sessionId, timestamp, ranByToolUseId: "toolu_1" },
  {
    type: "progress",
    data: { type: "bash_progress", output: "" },
    toolUseID: "toolu_1",
    parentToolUseID: "toolu_1",
    uuid: "5a0e3d2c-0000-4000-8000-000000000001",
    timestamp,
    parentUuid: "4f0fb7a6-4566-4400-9cba-a837dcb85b2d",
    isSidechain: false,
    sessionId,
    cwd: "/tmp/sessionport-claude-src/projects/alpha",
    version: "1.0.80"
  }
]
