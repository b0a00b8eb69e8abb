import { describe, expect, it } from "@effect/vitest"
import { InstallWarnings } from "@sessionport/agent"

describe("InstallWarnings.missingFolders", () => {
  it("one line per missing folder; a mapped one names its source to map elsewhere, never itself", () => {
    const warnings = InstallWarnings.missingFolders([
      // mapped: C:\Users\alice\proj → /home/bob/proj, which does not exist
      { cwd: "/home/bob/proj", sourceCwd: "C:\\Users\\alice\\proj", cwdExists: false, localId: "a" },
      { cwd: "/home/bob/proj", sourceCwd: "C:\\Users\\alice\\proj", cwdExists: false, localId: "b" },
      // taken as it was
      { cwd: "/srv/app", sourceCwd: "/srv/app", cwdExists: false, localId: "c" },
      { cwd: "/home/bob/here", sourceCwd: "/Users/alice/here", cwdExists: true, localId: "d" }
    ])
    expect(warnings).toEqual([
      "/home/bob/proj (working directory of 2 sessions, from C:\\Users\\alice\\proj) does not exist on this machine; " +
      "create it, or map 'C:\\Users\\alice\\proj' to another folder with --map 'C:\\Users\\alice\\proj'=FOLDER",
      "/srv/app (working directory of c) does not exist on this machine; map it to a folder here with --map /srv/app=FOLDER"
    ])
  })
})
