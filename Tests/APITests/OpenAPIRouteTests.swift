import API
import Foundation
import Testing

/// Keeps `docs/openapi.yaml` and the routes `APIRouter.make` registers in step, both ways.
@Suite struct OpenAPIRouteTests {
    /// `METHOD /api/v1/path/{param}` for every route the router registers.
    static func registered() -> [String] {
        APIRouter.routes.map { route in
            let path = route.fullPath.split(separator: "/", omittingEmptySubsequences: false).map { segment in
                segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
            }.joined(separator: "/")
            return "\(route.method.rawValue) \(path)"
        }
    }

    /// `METHOD /api/v1/path/{param}` for every operation in the spec.
    static func documented(_ spec: OpenAPIDocument) -> [String] {
        spec.operations.map { "\($0.method) \(spec.prefix(of: $0.path))\($0.path)" }
    }

    @Test func routeListHasNoDuplicates() {
        let routes = Self.registered()
        #expect(Set(routes).count == routes.count, "duplicates: \(routes)")
        #expect(!routes.isEmpty)
    }

    @Test func everyRegisteredRouteIsDocumented() throws {
        let documented = Set(Self.documented(try OpenAPIDocument.load()))
        let missing = Self.registered().filter { !documented.contains($0) }
        #expect(missing.isEmpty, "registered but not in docs/openapi.yaml: \(missing)")
    }

    @Test func everyDocumentedRouteIsRegistered() throws {
        let registered = Set(Self.registered())
        let extra = Self.documented(try OpenAPIDocument.load()).filter { !registered.contains($0) }
        #expect(extra.isEmpty, "in docs/openapi.yaml but not registered: \(extra)")
    }

    @Test func specServesEverythingUnderTheAPIRootButTheRootLevelRoutes() throws {
        let spec = try OpenAPIDocument.load()
        #expect(spec.serverPrefix == "/\(APIRouter.root)")
        #expect(APIRouter.routes.filter { !$0.isRootLevel }.allSatisfy { $0.fullPath.hasPrefix("/api/v1/") })
        // Root-level routes (Prometheus' `/metrics`, the CoCalc API where CoCalc's clients call it)
        // are documented with their own `servers: [/]`.
        let rootLevel = APIRouter.routes.filter(\.isRootLevel)
        #expect(rootLevel.map(\.description) == ["GET /metrics", "POST /api/conat/hub", "POST /api/conat/project"])
        for route in rootLevel {
            #expect(!route.fullPath.hasPrefix("/api/v1/"))
            #expect(spec.prefix(of: "/\(route.path)") == "", "\(route) must override servers with [/] in docs/openapi.yaml")
        }
    }

    @Test func onlyPublicRoutesWaiveTheBearerScheme() throws {
        let spec = try OpenAPIDocument.load()
        let globalSecurity = try #require(spec.root["security"] as? [[String: Any]])
        #expect(globalSecurity.contains { $0["bearerAuth"] != nil })
        let publicRoutes = Set(APIRouter.routes.filter(\.isPublic).map { "\($0.method.rawValue) \($0.fullPath)" })
        #expect(!publicRoutes.isEmpty)
        for operation in spec.operations {
            let colonPath = operation.path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
            let key = "\(operation.method) \(spec.prefix(of: operation.path))\(colonPath)"
            let waived = (operation.object["security"] as? [Any])?.isEmpty == true
            #expect(waived == publicRoutes.contains(key), "\(key): security override does not match the router")
            let responses = operation.object["responses"] as? [String: Any] ?? [:]
            #expect((responses["401"] != nil) == !waived, "\(key): a 401 answer belongs exactly to authenticated routes")
        }
    }

    @Test func everyPathParameterIsDeclared() throws {
        let spec = try OpenAPIDocument.load()
        for operation in spec.operations {
            let names = operation.path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }
                .map { String($0.dropFirst().dropLast()) }
            let declared = ((spec.pathItem(operation.path)["parameters"] as? [Any] ?? []) + (operation.object["parameters"] as? [Any] ?? []))
                .compactMap { spec.dereference($0) as? [String: Any] }
                .filter { $0["in"] as? String == "path" && $0["required"] as? Bool == true }
                .compactMap { $0["name"] as? String }
            #expect(Set(names) == Set(declared), "\(operation.method) \(operation.path): path parameters \(names) vs declared \(declared)")
        }
    }
}
