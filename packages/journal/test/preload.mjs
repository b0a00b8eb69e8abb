// Loads the driver's JavaScript dependencies before tsx registers its loader hooks: modules
// already loaded skip the hooks, which otherwise cost most of the driver's start-up.
await import("effect")
await import("@effect/sql-sqlite-node")
await import("@effect/sql/SqlClient")
await import("@effect/experimental/Reactivity")
await import("uuidv7")
