import CubicleModel
import Foundation
import Hummingbird
import Testing

@testable import API

/// `APIError` serializes to exactly `{"status","msg","code"}`.
@Suite struct APIErrorTests {
    static func object(_ error: APIError) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(error.body)) as? [String: Any])
    }

    @Test func bodyHasExactlyStatusMsgAndCode() throws {
        let body = try Self.object(APIError(.notFound, .notFound, #"workspace "bob-1234567" not found"#))
        #expect(Set(body.keys) == ["status", "msg", "code"])
        #expect(body["status"] as? Int == 404)
        #expect(body["msg"] as? String == #"workspace "bob-1234567" not found"#)
        #expect(body["code"] as? String == "not_found")
    }

    @Test func statusIsANumberNotAString() throws {
        let body = try Self.object(APIError(.unprocessableContent, .invalidBlueprint, "bad"))
        #expect(body["status"] is NSNumber)
        #expect(!(body["status"] is String))
        #expect(body["status"] as? Int == 422)
    }

    @Test func messagesWithControlAndUnicodeCharactersStayValidJSON() throws {
        let message = "line one\nline \"two\"\t\\ ü 🚀 \u{01}"
        let body = try Self.object(APIError(.badRequest, .invalidRequest, message))
        #expect(body["msg"] as? String == message)
    }

    @Test func shorthandConstructorsUseTheirCodes() {
        #expect(APIError.unauthorized().status == .unauthorized && APIError.unauthorized().code == .unauthorized)
        #expect(APIError.notFound("x").status == .notFound && APIError.notFound("x").code == .notFound)
        #expect(APIError.forbidden("x").status == .forbidden && APIError.forbidden("x").code == .forbidden)
        #expect(APIError.invalid("x").status == .badRequest && APIError.invalid("x").code == .invalidRequest)
    }
}
