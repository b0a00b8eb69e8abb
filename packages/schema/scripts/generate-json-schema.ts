// Writes docs/json-schema/*.schema.json from @sessionport/schema (pnpm docs:json-schema).
import { JsonSchema } from "@sessionport/schema"
import * as fs from "node:fs"
import * as path from "node:path"

const out = path.join(import.meta.dirname, "..", "..", "..", "docs", "json-schema")
fs.mkdirSync(out, { recursive: true })
for (const [name, document] of Object.entries(JsonSchema.documents())) {
  fs.writeFileSync(path.join(out, name), JSON.stringify(document, null, 2) + "\n")
  console.log(`wrote docs/json-schema/${name}`)
}
