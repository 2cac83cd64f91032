/// The outcome of loading a blueprint directory: a catalog of whatever is valid, and every
/// problem found.
public struct BlueprintLoadResult: Sendable {
    /// The blueprints, valid and invalid.
    public let catalog: BlueprintCatalog
    /// Every problem, in file order; empty when the whole set is valid.
    public let diagnostics: [BlueprintDiagnostic]
    /// The directories a change to the set could come from (scanned ones and files' real parents).
    public let watchDirectories: [String]
    /// Identifies the loaded content, so a reload that changed nothing publishes nothing.
    let fingerprint: Int

    /// True when the load found no problem at all.
    public var isValid: Bool { diagnostics.isEmpty }
}

/// Loads every blueprint under a directory: scans and reads on `BlockingIOThread`, then parses,
/// inherits and validates.
public enum BlueprintLoader {
    /// Loads `directory` without blocking the caller's thread.
    public static func load(directory: String) async -> BlueprintLoadResult {
        await BlockingIOThread.shared.run { loadSynchronously(directory: directory) }
    }

    /// Loads `directory` on the calling thread, which it blocks with file I/O.
    @available(*, noasync, message: "blocking file I/O; use load(directory:)")
    public static func loadSynchronously(directory: String) -> BlueprintLoadResult {
        let scan = BlueprintFiles.scan(directory)
        let (catalog, diagnostics) = BlueprintSetBuilder.build(files: scan.files, preliminary: scan.diagnostics)
        return BlueprintLoadResult(
            catalog: catalog, diagnostics: diagnostics, watchDirectories: scan.watchDirectories,
            fingerprint: fingerprint(scan.files, diagnostics)
        )
    }

    /// Loads blueprints from in-memory files `(name, text)`, in the order given.
    public static func load(files: [(name: String, text: String)]) -> BlueprintLoadResult {
        let files = files.map { BlueprintFiles.File(display: $0.name, text: $0.text) }
        let (catalog, diagnostics) = BlueprintSetBuilder.build(files: files)
        return BlueprintLoadResult(
            catalog: catalog, diagnostics: diagnostics, watchDirectories: [], fingerprint: fingerprint(files, diagnostics)
        )
    }

    private static func fingerprint(_ files: [BlueprintFiles.File], _ diagnostics: [BlueprintDiagnostic]) -> Int {
        var hasher = Hasher()
        for file in files {
            hasher.combine(file.display)
            hasher.combine(file.text)
        }
        hasher.combine(diagnostics)
        return hasher.finalize()
    }
}
