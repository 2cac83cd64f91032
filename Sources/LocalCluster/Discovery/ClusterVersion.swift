import CubicleModel

/// The Kubernetes version the embedded API server reports (`/version`, node info): the API level
/// it emulates, with Cubicle's version as build metadata.
enum ClusterVersion {
    static let major = "1"
    static let minor = "32"
    static let gitVersion = "v1.32.0+cubicle-\(CubicleVersion.current)"

    /// The `/version` document.
    static var document: JSONValue {
        [
            "major": .string(major), "minor": .string(minor), "gitVersion": .string(gitVersion),
            "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
            "buildDate": "2025-01-01T00:00:00Z", "goVersion": "swift", "compiler": "swift",
            "platform": "linux/amd64",
        ]
    }
}
