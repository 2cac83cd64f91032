import Foundation
import Testing

/// The spec is self-consistent: references resolve and every error answers the `Error` schema.
@Suite struct OpenAPISchemaTests {
    @Test func isOpenAPI31() throws {
        let spec = try OpenAPIDocument.load()
        #expect((spec.root["openapi"] as? String)?.hasPrefix("3.1") == true)
        let schemes = spec.resolve("#/components/securitySchemes/bearerAuth") as? [String: Any]
        #expect(schemes?["type"] as? String == "http")
        #expect(schemes?["scheme"] as? String == "bearer")
    }

    @Test func everyReferenceResolves() throws {
        let spec = try OpenAPIDocument.load()
        let references = spec.allReferences
        #expect(!references.isEmpty)
        for (reference, location) in references {
            #expect(spec.resolve(reference) != nil, "\(location): \(reference) does not resolve")
        }
    }

    @Test func everyResponseSchemaResolves() throws {
        let spec = try OpenAPIDocument.load()
        for operation in spec.operations {
            let responses = try #require(operation.object["responses"] as? [String: Any], "\(operation.method) \(operation.path) has no responses")
            for (status, value) in responses {
                let response = try #require(spec.dereference(value) as? [String: Any], "\(operation.method) \(operation.path) \(status)")
                for (type, media) in response["content"] as? [String: Any] ?? [:] {
                    let schema = (media as? [String: Any])?["schema"]
                    #expect(schema.flatMap(spec.dereference) != nil, "\(operation.method) \(operation.path) \(status) \(type): schema missing or dangling")
                }
            }
        }
    }

    @Test func everyErrorResponseUsesTheErrorSchema() throws {
        let spec = try OpenAPIDocument.load()
        var errorResponses = 0
        for operation in spec.operations {
            let responses = operation.object["responses"] as? [String: Any] ?? [:]
            for (status, value) in responses where (Int(status) ?? 0) >= 400 {
                errorResponses += 1
                let location = "\(operation.method) \(operation.path) \(status)"
                let response = try #require(spec.dereference(value) as? [String: Any], "\(location)")
                let content = try #require(response["content"] as? [String: Any], "\(location) has no content")
                #expect(Array(content.keys) == ["application/json"], "\(location) must answer JSON only")
                let schema = (content["application/json"] as? [String: Any])?["schema"] as? [String: Any] ?? [:]
                #expect(Self.isErrorSchema(schema, in: spec), "\(location) does not use #/components/schemas/Error")
            }
        }
        #expect(errorResponses > 0)
    }

    @Test func statusCodesAreTheOnesTheAPIAnswers() throws {
        let spec = try OpenAPIDocument.load()
        let known: Set<String> = ["101", "200", "201", "202", "204", "206", "302", "400", "401", "403", "404", "409", "410", "413", "416", "422", "501", "502", "503"]
        for operation in spec.operations {
            let codes = Set((operation.object["responses"] as? [String: Any] ?? [:]).keys)
            #expect(codes.isSubset(of: known), "\(operation.method) \(operation.path): \(codes.subtracting(known))")
            #expect(codes.contains { $0.hasPrefix("2") || $0 == "101" || $0 == "302" }, "\(operation.method) \(operation.path) has no success answer")
        }
    }

    @Test func jobCanStreamServerSentEventsWithLastEventID() throws {
        let spec = try OpenAPIDocument.load()
        let get = try #require(spec.pathItem("/jobs/{id}")["get"] as? [String: Any])
        let ok = try #require((get["responses"] as? [String: Any])?["200"] as? [String: Any])
        let content = try #require(ok["content"] as? [String: Any])
        #expect(Set(content.keys) == ["application/json", "text/event-stream"])
        let headers = (get["parameters"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
            .filter { $0["in"] as? String == "header" }.compactMap { $0["name"] as? String }
        #expect(headers.contains("Last-Event-ID"))
    }

    @Test func errorSchemaHasTheWireShape() throws {
        let spec = try OpenAPIDocument.load()
        let error = try #require(spec.resolve("#/components/schemas/Error") as? [String: Any])
        #expect(Set(error["required"] as? [String] ?? []) == ["status", "msg", "code"])
        let properties = error["properties"] as? [String: Any] ?? [:]
        #expect((properties["status"] as? [String: Any])?["type"] as? String == "integer")
        #expect((properties["msg"] as? [String: Any])?["type"] as? String == "string")
        #expect((properties["code"] as? [String: Any])?["type"] as? String == "string")
    }

    /// A `$ref` to `Error`, or an `allOf` that includes it (an error with extra fields).
    static func isErrorSchema(_ schema: [String: Any], in spec: OpenAPIDocument) -> Bool {
        if let reference = schema["$ref"] as? String {
            if reference == "#/components/schemas/Error" { return true }
            guard let target = spec.resolve(reference) as? [String: Any] else { return false }
            return isErrorSchema(target, in: spec)
        }
        let parts = schema["allOf"] as? [Any] ?? []
        return parts.contains { ($0 as? [String: Any]).map { isErrorSchema($0, in: spec) } ?? false }
    }
}
