@testable import Blueprints
import Foundation
import Testing

@Suite struct LoadingShapeTests {
    @Test func blueprintsListShapeLoadsEveryEntry() {
        let result = load(("b/list.yaml", """
            blueprints:
              - name: one
                image: img:1
              - name: two
                image: img:2
            """))
        #expect(result.diagnostics.isEmpty, "\(rendered(result))")
        #expect(result.catalog.names == ["one", "two"])
    }

    @Test func singleBlueprintKeyShapeLoads() {
        let result = load(("b/one.yaml", "blueprint:\n  name: one\n  image: img:1\n"))
        #expect(result.diagnostics.isEmpty, "\(rendered(result))")
        #expect(result.catalog.names == ["one"])
    }

    @Test func bareMappingShapeLoads() {
        let result = load(("b/one.yaml", "name: one\nimage: img:1\n"))
        #expect(result.diagnostics.isEmpty, "\(rendered(result))")
        #expect(result.catalog.names == ["one"])
    }

    @Test func bareListShapeLoads() {
        let result = load(("b/two.yaml", "- name: one\n  image: img:1\n- name: two\n  image: img:2\n"))
        #expect(result.diagnostics.isEmpty, "\(rendered(result))")
        #expect(result.catalog.names == ["one", "two"])
    }

    @Test func emptyAndCommentOnlyFilesAreFine() {
        let result = load(("b/empty.yaml", ""), ("b/comments.yaml", "# nothing here yet\n"), ("b/nulls.yaml", "blueprints:\n"))
        #expect(result.isValid, "\(rendered(result))")
        #expect(result.catalog.names.isEmpty)
    }

    @Test func scalarDocumentIsAShapeError() {
        let result = load(("b/bad.yaml", "just a string\n"))
        #expect(rendered(result) == [
            "b/bad.yaml:1:1: expected a blueprint mapping, a list of blueprints, \"blueprints:\" or \"blueprint:\", got a string",
        ])
    }

    @Test func keysBesideTheWrapperAreReported() {
        let result = load(("b/bad.yaml", "blueprints:\n  - name: one\n    image: i\nextra: 1\n"))
        #expect(rendered(result) == ["b/bad.yaml:4:1: extra: unexpected key \"extra\" beside \"blueprints\" (put blueprint fields inside it)"])
    }

    @Test func directoryLoadsRecursivelyInByteOrderYamlAndYml() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("b.yaml", "name: bravo\nimage: i\n")
        try dir.write("A.yml", "name: alpha\nimage: i\n")
        try dir.write("sub/c.yaml", "name: charlie\nimage: i\n")
        try dir.write("sub/deeper/d.yml", "name: delta\nimage: i\n")
        try dir.write("notes.txt", "name: ignored\n")
        let result = BlueprintLoader.loadSynchronously(directory: dir.path)
        #expect(result.isValid, "\(rendered(result))")
        #expect(result.catalog.names == ["alpha", "bravo", "charlie", "delta"])
    }

    @Test func configMapLayoutLoadsEachFileOnceAndSkipsDotDotEntries() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("..2026_11_23_10_00_00.123/dev.yaml", "name: dev\nimage: i\n")
        try dir.write("..2026_11_23_10_00_00.123/base.yaml", "name: base\nisTemplate: true\nimage: i\n")
        try dir.symlink("..data", to: "..2026_11_23_10_00_00.123")
        try dir.symlink("dev.yaml", to: "..data/dev.yaml")
        try dir.symlink("base.yaml", to: "..data/base.yaml")
        // Files only reachable through `..` entries are not blueprints (an old or half-written
        // timestamped directory, a hidden file).
        try dir.write("..2026_11_23_09_00_00.001/stale.yaml", "name: stale\nimage: i\n")
        try dir.write("..stray.yaml", "name: stray\nimage: i\n")
        let result = BlueprintLoader.loadSynchronously(directory: dir.path)
        #expect(result.isValid, "\(rendered(result))")
        #expect(result.catalog.names == ["base", "dev"])
        // Loaded through the top-level symlink, so errors would name the file the operator knows.
        #expect(result.catalog.blueprints["dev"]?.location.file == dir.path + "/dev.yaml")
        // The real directory behind the symlinks is watched too, so in-place edits are seen.
        #expect(result.watchDirectories.contains { $0.hasSuffix("/..2026_11_23_10_00_00.123") })
    }

    @Test func theSameFileReachedTwiceLoadsOnce() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("real/dev.yaml", "name: dev\nimage: i\n")
        try dir.symlink("link", to: "real")
        try dir.symlink("alias.yaml", to: "real/dev.yaml")
        let result = BlueprintLoader.loadSynchronously(directory: dir.path)
        #expect(result.isValid, "\(rendered(result))")
        #expect(result.catalog.names == ["dev"])
    }

    @Test func errorsNameTheFileUnderTheDirectory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("sub/bad.yaml", "name: Bad\nimage: i\n")
        let result = BlueprintLoader.loadSynchronously(directory: dir.path + "/")
        #expect(rendered(result) == [
            "\(dir.path)/sub/bad.yaml:1:7: name: must be a DNS label: must consist of lower case alphanumeric characters or '-', got \"Bad\"",
        ])
    }

    @Test func missingDirectoryIsAnError() {
        let result = BlueprintLoader.loadSynchronously(directory: "/nonexistent/cubicle-blueprints")
        #expect(!result.isValid)
        #expect(result.diagnostics.first?.location.file == "/nonexistent/cubicle-blueprints")
    }

    @Test func asyncLoadRunsOffThePoolAndMatchesTheSynchronousOne() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("dev.yaml", "name: dev\nimage: i\n")
        let result = await BlueprintLoader.load(directory: dir.path)
        #expect(result.catalog.names == ["dev"])
    }
}
