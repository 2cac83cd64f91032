/// The version of this build of Cubicle.
public enum CubicleVersion {
    /// Semantic version of the release.
    public static let current = "0.1.0"
}
