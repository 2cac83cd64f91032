import CubicleModel
import Foundation
import Hummingbird
import Provisioner
import Store

/// The CoCalc API (`POST /api/conat/hub`, `POST /api/conat/project`) as a thin translation onto
/// Cubicle's own services, so CoCalc's Python client `cocalc-api` and scripts written for it work
/// unchanged: a Cubicle token is the API key (Basic with an empty password, or Bearer), a project
/// id is a workspace name. Failures answer `{"error": "<message>"}` (docs/cocalc.md).
struct ConatRoutes: RouteSet {
    let dependencies: APIDependencies

    /// The two endpoints.
    enum Endpoint: CaseIterable { case hub, project }

    static let isRootLevel = true
    static var endpoints: [Endpoint] { Endpoint.allCases }

    static func route(_ endpoint: Endpoint) -> (method: HTTPRequest.Method, path: String) {
        switch endpoint {
        case .hub: (.post, "api/conat/hub")
        case .project: (.post, "api/conat/project")
        }
    }

    func handle(_ endpoint: Endpoint, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let answer: JSONValue
        do {
            let body: JSONValue
            do {
                var request = request
                let bytes = try await request.collectBody(upTo: JSONBody.maximumSize)
                body = try JSONValue.parse(Array(bytes.readableBytesView))
            } catch {
                throw ConatError("the body must be JSON: {\"name\": \"service.method\", \"args\": [...]}")
            }
            let call = try ConatCall(body)
            let methods = ConatMethods(dependencies: dependencies, caller: caller)
            answer = try await endpoint == .hub ? methods.hub(call) : methods.project(call)
        } catch let error as ConatError {
            answer = ["error": .string(error.message)]
        } catch let error as APIError {
            answer = ["error": .string(error.message)]
        } catch let error as any CodedError where error.code != .internalError {
            answer = ["error": .string(error.message)]
        }
        return try JSONBody.response(answer)
    }
}
