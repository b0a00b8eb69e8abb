/**
 * The composition root of `session-sync`.
 *
 * @since 0.1.0
 */
import { Main } from "@sessionport/cli-kit"
import * as Cli from "./Cli.js"

Main.run("session-sync", Cli.run, Cli.root)
