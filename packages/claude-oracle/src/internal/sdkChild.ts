/**
 * The program a child `node` runs to call the Agent SDK's session readers. The SDK reads
 * `CLAUDE_CONFIG_DIR` from `process.env`, so each call gets a process whose environment names
 * the machine's config dir (the test process's own environment is never changed).
 *
 * argv: <sdk module> <function> <json arguments>; prints the JSON result on stdout.
 */
export const sdkChildSource = `
const [modulePath, fn, argsJson] = process.argv.slice(1)
const sdk = await import(modulePath)
const args = JSON.parse(argsJson)
const allowed = ["listSessions", "getSessionMessages", "getSessionInfo"]
if (!allowed.includes(fn)) throw new Error("not an allowed SDK function: " + fn)
const result = await sdk[fn](...args)
process.stdout.write(JSON.stringify(result === undefined ? null : result))
`
