import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ClaudeHome, Harness, Picker } from "@sessionport/claude-oracle"
import { Effect, Option } from "effect"

// The interactive TUI under tmux: a session typed in the TUI shows in the /resume picker.
describe.skipIf(!Picker.available())("Picker (needs tmux)", () => {
  it.scoped("an interactive session (entrypoint cli) is listed by the /resume picker", () =>
    Effect.gen(function*() {
      const { cli, configDir, projects, server } = yield* Harness.machine({ projects: ["tui-project"] })
      const { screens, sessionId } = yield* Picker.interactiveSession(cli, {
        turns: [{ prompt: "hello from the tui", expect: "Plain answer 1." }]
      })
      assert.include(screens[0], "Plain answer 1.")
      assert.strictEqual((yield* server.requests)[0]!.headers["user-agent"], "claude-cli/2.1.332 (external, cli)")

      const transcript = Option.getOrThrow(yield* ClaudeHome.findTranscript(configDir, sessionId))
      const lines = yield* ClaudeHome.readTranscript(transcript.path)
      const user = lines.find((l) => l["type"] === "user")!
      assert.strictEqual(user["entrypoint"], "cli")
      assert.strictEqual(user["cwd"], projects[0])

      const screen = yield* Picker.resumePicker(cli)
      assert.include(screen, "Resume session")
      assert.include(screen, "hello from the tui")
    }).pipe(Effect.provide(NodeContext.layer)))
})
