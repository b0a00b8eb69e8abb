import { assert, describe, it } from "@effect/vitest"
import * as PackageStatus from "../src/PackageStatus.js"

describe("PackageStatus", () => {
  it("reads a sync's classification as a person asks about a package's session", () => {
    assert.strictEqual(PackageStatus.of({ class: "new_lineage", relation: undefined }), "new")
    // an unrelated session that happens to have a local session's id is new here
    assert.strictEqual(PackageStatus.of({ class: "id_collision_unrelated", relation: "unrelated" }), "new")
    assert.strictEqual(PackageStatus.of({ class: "unchanged", relation: "identical" }), "already_here")
    assert.strictEqual(PackageStatus.of({ class: "unchanged", relation: "local_ahead" }), "ahead")
    assert.strictEqual(PackageStatus.of({ class: "fast_forward_import", relation: "incoming_ahead" }), "behind")
    assert.strictEqual(PackageStatus.of({ class: "diverged_lineage", relation: "diverged" }), "diverged")
    assert.strictEqual(PackageStatus.label("already_here"), "already here")
    assert.strictEqual(PackageStatus.label("diverged"), "diverged")
  })
})
