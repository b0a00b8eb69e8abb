import { Schema, SchemaAST as AST } from "effect"

/**
 * @internal
 * Compiles a schema's AST into a plain predicate. Codex rollouts are checked line by line, and
 * `Schema.is` walks its generic parser for every node; a closure tree per schema is several
 * times faster. Only the node kinds the rollout schemas use are compiled; any other node falls
 * back to `Schema.is`, so the answer is always the schema's own (a test checks they agree).
 */
export const compileGuard = (schema: Schema.Schema.Any): ((u: unknown) => boolean) => compile(schema.ast)

type Guard = (u: unknown) => boolean

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const compile = (ast: AST.AST): Guard => {
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => typeof u === "string"
    case "NumberKeyword":
      return (u) => typeof u === "number"
    case "BooleanKeyword":
      return (u) => typeof u === "boolean"
    case "UnknownKeyword":
    case "AnyKeyword":
      return () => true
    case "Literal": {
      const literal = ast.literal
      return (u) => u === literal
    }
    case "Union": {
      const members = ast.types.map(compile)
      if (members.length === 2) {
        const [a, b] = members as [Guard, Guard]
        return (u) => a(u) || b(u)
      }
      return (u) => {
        for (const member of members) if (member(u)) return true
        return false
      }
    }
    case "TupleType": {
      // only arrays (`Schema.Array`): no fixed elements, one rest element
      if (ast.elements.length !== 0 || ast.rest.length !== 1) break
      const item = compile(ast.rest[0]!.type)
      return (u) => {
        if (!Array.isArray(u)) return false
        for (let i = 0; i < u.length; i++) if (!item(u[i])) return false
        return true
      }
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.some((s) => s.parameter._tag !== "StringKeyword")) break
      const properties = ast.propertySignatures.map((p) => {
        if (typeof p.name !== "string") throw new Error("symbol keys are not compiled")
        return { name: p.name, optional: p.isOptional, guard: compile(p.type) }
      })
      const index = ast.indexSignatures.map((s) => compile(s.type))
      const known = new Set(properties.map((p) => p.name))
      return (u) => {
        if (!isRecord(u)) return false
        for (const { guard, name, optional } of properties) {
          const value = u[name]
          if (value === undefined) {
            // `optional` accepts a missing key and an explicit undefined alike
            if (!optional && !Object.prototype.hasOwnProperty.call(u, name)) return false
            if (!optional && !guard(value)) return false
            continue
          }
          if (!guard(value)) return false
        }
        if (index.length > 0) {
          for (const key in u) {
            if (known.has(key)) continue
            for (const guard of index) if (!guard(u[key])) return false
          }
        }
        return true
      }
    }
    case "Suspend":
      return compile(ast.f())
  }
  return Schema.is(Schema.make(ast))
}
