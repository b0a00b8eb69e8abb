/**
 * The `turn_context` payload: the settings a turn ran with (cwd, sandbox, model).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Json, JsonObject, optionalNullable } from "./internal/fields.js"

const sandboxFields = {
  writable_roots: Schema.optional(Schema.Array(Schema.String)),
  network_access: Schema.optional(Json),
  exclude_tmpdir_env_var: Schema.optional(Schema.Boolean),
  exclude_slash_tmp: Schema.optional(Schema.Boolean),
  access: Schema.optional(Json),
  read_only_access: Schema.optional(Json)
}

/**
 * Sandbox policy tagged by `type` (2025-11-13 onward): `danger-full-access`, `read-only`,
 * `workspace-write`, `external-sandbox`.
 *
 * @since 0.1.0
 * @category models
 */
export const SandboxPolicyByType = Schema.Struct({ type: Schema.String, ...sandboxFields })
  .annotations({ identifier: "SandboxPolicyByType" })

/**
 * Sandbox policy tagged by `mode` (until 2025-11-13).
 *
 * @since 0.1.0
 * @category models
 */
export const SandboxPolicyByMode = Schema.Struct({ mode: Schema.String, ...sandboxFields })
  .annotations({ identifier: "SandboxPolicyByMode" })

/** @since 0.1.0 @category models */
export const SandboxPolicy = Schema.Union(SandboxPolicyByType, SandboxPolicyByMode)
  .annotations({ identifier: "SandboxPolicy" })

/** @since 0.1.0 @category models */
export type SandboxPolicy = typeof SandboxPolicy.Type

/**
 * `"untrusted" | "on-failure" | "on-request" | "never"`, or a granular object
 * (`{"granular":…}`, briefly `{"reject":…}`).
 *
 * @since 0.1.0
 * @category models
 */
export const ApprovalPolicy = Schema.Union(Schema.String, JsonObject).annotations({ identifier: "ApprovalPolicy" })

/** @since 0.1.0 @category models */
export const TurnContext = Schema.Struct({
  turn_id: optionalNullable(Schema.String),
  trace_id: optionalNullable(Schema.String),
  cwd: Schema.String,
  workspace_roots: optionalNullable(Schema.Array(Schema.String)),
  current_date: optionalNullable(Schema.String),
  timezone: optionalNullable(Schema.String),
  approval_policy: ApprovalPolicy,
  approvals_reviewer: Schema.optional(Json),
  sandbox_policy: SandboxPolicy,
  permission_profile: Schema.optional(Json),
  file_system_sandbox_policy: Schema.optional(Json),
  network: Schema.optional(Json),
  model: Schema.String,
  comp_hash: optionalNullable(Schema.String),
  personality: optionalNullable(Schema.String),
  collaboration_mode: Schema.optional(Json),
  multi_agent_version: Schema.optional(Json),
  multi_agent_mode: Schema.optional(Json),
  realtime_active: optionalNullable(Schema.Boolean),
  effort: optionalNullable(Schema.String),
  summary: Schema.optional(Json),
  user_instructions: optionalNullable(Schema.String),
  developer_instructions: optionalNullable(Schema.String),
  final_output_json_schema: Schema.optional(Json),
  truncation_policy: Schema.optional(Json)
}).annotations({ identifier: "TurnContext" })

/** @since 0.1.0 @category models */
export type TurnContext = typeof TurnContext.Type
