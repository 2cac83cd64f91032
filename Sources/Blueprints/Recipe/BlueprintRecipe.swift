import CubicleModel

/// A blueprint after inheritance and validation, with every field typed but expressions not yet
/// evaluated: what `ResolvedBlueprint.instantiate` turns into a `BlueprintSpec`.
struct BlueprintRecipe: Sendable {
    var description: String?
    var image: Evaluable<String>?
    var imagePullPolicy: Evaluable<ImagePullPolicy>?
    var env: [(name: String, value: Evaluable<String>)] = []
    var cpu: Evaluable<Quantity>?
    var memory: Evaluable<Quantity>?
    var storages: [StorageRecipe] = []
    var initScripts: [InitScriptRecipe] = []
    var enableApps: Evaluable<Bool>?
    var apps: [AppRecipe] = []
    var networkPolicyClass: Evaluable<NetworkPolicyClass>?
    var allowEgressToCIDRs: [Evaluable<String>] = []
    var securityContext: JSONTemplate?
    var nodeSelector: JSONTemplate?
    var tolerations: JSONTemplate?
    var idleTimeout: Evaluable<DurationString>?
    var extFiles: [(path: String, content: Evaluable<String>)] = []
    var recordSessions: Evaluable<Bool>?
}

/// One storage of a recipe.
struct StorageRecipe: Sendable {
    let name: String
    var enabled: Evaluable<Bool>?
    var type: StorageType?
    var path: Evaluable<String>?
    var readOnly: Evaluable<Bool>?
    var sizeLimit: Evaluable<Quantity>?
    var claimSpec: JSONTemplate?
    var claimSpecAnnotations: [(key: String, value: Evaluable<String>)] = []
    var retain: Evaluable<Bool>?
    var id: Evaluable<String>?
}

/// One init script of a recipe.
struct InitScriptRecipe: Sendable {
    let name: String
    let script: Evaluable<String>
}

/// One app of a recipe.
struct AppRecipe: Sendable {
    let name: String
    var enabled: Evaluable<Bool>?
    var binary: Evaluable<String>?
    var install: Evaluable<String>?
    var installAsRoot: Evaluable<Bool>?
    var start: [Evaluable<String>]?
    var listen: Evaluable<Int>?
    var `protocol`: Evaluable<AppProtocol>?
    var restartPolicy: Evaluable<AppRestartPolicy>?
    var maxRestartBackoff: Evaluable<DurationString>?
    var autoStart: Evaluable<Bool>?
    var versionCmd: [Evaluable<String>]?
    var versionRegex: Evaluable<String>?
}
