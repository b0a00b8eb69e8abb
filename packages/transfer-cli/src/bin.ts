/**
 * The composition root of `session-transfer`.
 *
 * @since 0.1.0
 */
import { Main } from "@sessionport/cli-kit"
import * as Cli from "./Cli.js"

Main.run("session-transfer", Cli.run, Cli.root)
