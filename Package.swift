// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let yams: Target.Dependency = .product(name: "Yams", package: "Yams")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let deque: Target.Dependency = .product(name: "DequeModule", package: "swift-collections")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "cubicle",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cubicle", targets: ["cubicle"]),
        .executable(name: "cubicle-bench", targets: ["cubicle-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // System libraries: module maps only.
        .systemLibrary(name: "CLibCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibSSH", pkgConfig: "libssh", providers: [.apt(["libssh-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Modules, lowest first; dependencies point down only (docs/architecture in DESIGN §2).
        .target(name: "CubicleModel", dependencies: [crypto], swiftSettings: strict),
        .target(name: "CubicleMetrics", swiftSettings: strict),
        .target(name: "Blueprints", dependencies: ["CubicleModel", yams, logging], swiftSettings: strict),
        .target(
            name: "Store",
            dependencies: ["CSQLite", "CubicleModel", crypto, logging, serviceLifecycle],
            swiftSettings: strict
        ),
        .target(name: "KubeClient", dependencies: ["CLibCurl", "CubicleModel", logging, yams, deque], swiftSettings: strict),
        .target(name: "SSHClient", dependencies: ["CLibSSH", "CubicleModel", deque], swiftSettings: strict),
        .target(
            name: "LocalCluster",
            dependencies: [
                "CubicleModel", crypto, deque, serviceLifecycle, logging, yams,
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Provisioner",
            dependencies: ["CubicleModel", "Blueprints", "Store", "KubeClient", "SSHClient", "CubicleMetrics", logging, serviceLifecycle],
            swiftSettings: strict
        ),
        .target(
            name: "API",
            dependencies: ["CubicleModel", "Blueprints", "Store", "Provisioner", "SSHClient", "CubicleMetrics", logging, deque, crypto,
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
                crypto, .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ],
            swiftSettings: strict
        ),
        // The client of the public API (the CLI, other Swift programs); never a server target.
        .target(
            name: "CubicleClient",
            dependencies: [
                "CubicleModel", yams, crypto,
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "App",
            dependencies: [
                "CubicleModel", "Blueprints", "Store", "KubeClient", "SSHClient", "LocalCluster", "Provisioner", "API", "CubicleMetrics", logging, serviceLifecycle,
                yams, crypto,
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "cubicle",
            dependencies: ["CubicleModel", "CubicleClient", "LocalCluster", "App", argumentParser, logging, serviceLifecycle, yams],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "cubicle-bench",
            dependencies: ["CubicleModel", "Blueprints", "KubeClient", "App", argumentParser, logging,
                           .product(name: "HummingbirdWSClient", package: "hummingbird-websocket")],
            swiftSettings: strict
        ),

        // Tests, one target per module, and the helpers they share.
        .target(name: "CubicleTestSupport", path: "Tests/CubicleTestSupport", swiftSettings: strict),
        .testTarget(name: "CubicleModelTests", dependencies: ["CubicleModel"], swiftSettings: strict),
        .testTarget(name: "CubicleClientTests", dependencies: ["CubicleClient", "CubicleModel"], swiftSettings: strict),
        .testTarget(name: "CubicleMetricsTests", dependencies: ["CubicleMetrics"], swiftSettings: strict),
        .testTarget(name: "BlueprintsTests", dependencies: ["Blueprints", "CubicleModel", logging], swiftSettings: strict),
        .testTarget(
            name: "KubeClientTests", dependencies: ["KubeClient", "LocalCluster", "CubicleModel", "CubicleTestSupport", logging], exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(name: "SSHClientTests", dependencies: ["SSHClient", "CubicleModel", "CubicleTestSupport", crypto], swiftSettings: strict),
        .testTarget(name: "LocalClusterTests", dependencies: ["LocalCluster", "CubicleModel", logging, yams], swiftSettings: strict),
        .testTarget(name: "ProvisionerTests", dependencies: ["Provisioner", "KubeClient", "CubicleModel"], swiftSettings: strict),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "App", "API", "KubeClient", "LocalCluster", "CubicleModel", "CubicleTestSupport", "CubicleMetrics", logging, crypto,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "E2ETests",
            dependencies: ["App", "KubeClient", "CubicleModel", "CubicleTestSupport", logging],
            swiftSettings: strict
        ),
        .testTarget(
            name: "APITests",
            dependencies: [
                "API", "CubicleModel", "CubicleTestSupport", "Store", yams, crypto, .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "WorkspaceTests",
            dependencies: ["LocalCluster", "Blueprints", "CubicleModel", logging],
            swiftSettings: strict
        ),
        .testTarget(name: "BenchTests", dependencies: ["cubicle-bench", argumentParser], swiftSettings: strict),
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
