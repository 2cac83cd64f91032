// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let yams: Target.Dependency = .product(name: "Yams", package: "Yams")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "cubicle",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cubicle", targets: ["cubicle"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // System libraries: module maps only.
        .systemLibrary(name: "CLibCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibSSH", pkgConfig: "libssh", providers: [.apt(["libssh-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Modules, lowest first; dependencies point down only (docs/architecture in DESIGN §2).
        .target(name: "CubicleModel", dependencies: [crypto], swiftSettings: strict),
        .target(name: "Blueprints", dependencies: ["CubicleModel", yams, logging], swiftSettings: strict),
        .target(
            name: "Store",
            dependencies: ["CSQLite", "CubicleModel", crypto, logging, serviceLifecycle],
            swiftSettings: strict
        ),
        .target(name: "LocalCluster", dependencies: ["CubicleModel", logging], swiftSettings: strict),
        .executableTarget(
            name: "cubicle",
            dependencies: ["CubicleModel", argumentParser, logging],
            swiftSettings: strict
        ),

        // Tests, one target per module.
        .testTarget(name: "CubicleModelTests", dependencies: ["CubicleModel"], swiftSettings: strict),
        .testTarget(name: "BlueprintsTests", dependencies: ["Blueprints", "CubicleModel", logging], swiftSettings: strict),
        .testTarget(name: "LocalClusterTests", dependencies: ["LocalCluster", "CubicleModel", logging], swiftSettings: strict),
        .testTarget(
            name: "WorkspaceTests",
            dependencies: ["LocalCluster", "Blueprints", "CubicleModel", logging],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "Store", "CubicleModel",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
