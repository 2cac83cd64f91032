@testable import Blueprints
import CubicleModel
import Foundation
import Testing

@Suite struct ShippedBlueprintsTests {
    /// The repository's `blueprints/` directory, found from this file's path.
    static var directory: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("blueprints").path
    }

    @Test func shippedBlueprintsLoadCleanly() async throws {
        let result = await BlueprintLoader.load(directory: ShippedBlueprintsTests.directory)
        #expect(result.diagnostics.isEmpty, "\(rendered(result))")
        #expect(result.catalog.names == ["base", "dev", "minimal"])
        #expect(result.catalog.concrete.map(\.name) == ["dev", "minimal"])
        guard case .template = result.catalog.lookup("base") else {
            Issue.record("base must be a template")
            return
        }

        let dev = try result.catalog.provisionable("dev").instantiate(context: testContext(username: "carol"))
        #expect(dev.image == "cubicle/workspace:debian-12")
        #expect(dev.env["EDITOR"] == "vim")
        #expect(dev.resources.cpuLimit == (try Quantity("2")))
        #expect(dev.resources.memoryLimit == (try Quantity("2Gi")))
        #expect(dev.storages["home"]?.type == .local)
        #expect(dev.storages["home"]?.path == "/home/carol")
        #expect(dev.storages["home"]?.claimSpec?["accessModes"] == ["ReadWriteOnce"])
        #expect(dev.storages["home"]?.claimSpec?[path: ["resources", "requests", "storage"]] == "10Gi")
        #expect(dev.initScripts.map(\.name) == ["motd"])
        #expect(dev.enableApps)
        #expect(dev.apps["http"]?.listen == 8080)
        #expect(dev.apps["http"]?.protocol == .http)

        let minimal = try result.catalog.provisionable("minimal").instantiate(context: testContext())
        #expect(minimal.storages.isEmpty)
        #expect(minimal.image == "cubicle/workspace:debian-12")
    }
}
