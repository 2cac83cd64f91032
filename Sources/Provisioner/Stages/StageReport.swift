import CubicleModel
import Foundation

/// The stage of a workspace pod and the line that explains it.
public struct StageReport: Sendable, Hashable {
    /// The stage.
    public var stage: Stage
    /// Why, for people (`ErrImagePull: pull access denied…`).
    public var message: String
    /// The CamelCase reason behind a `Failed` stage, when one is known.
    public var reason: String?

    /// Creates a report.
    public init(stage: Stage, message: String, reason: String? = nil) {
        self.stage = stage
        self.message = message
        self.reason = reason
    }
}
