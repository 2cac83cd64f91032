import CubicleModel
import Foundation
import Hummingbird
import NIOHTTP1
import Testing

@testable import API

/// A module error as other modules throw them.
private struct ModuleError: CodedError {
    var code: ErrorCode
    var message: String
}

/// An error nobody planned for, carrying text that must not reach the caller.
private struct Surprise: Error, CustomStringConvertible {
    var description: String { "sqlite: /var/lib/cubicle/secret.db is locked by pid 4242" }
}

/// A payload that only decodes from `{"name": <string>}`.
private struct Named: Decodable {
    var name: String
}

@Suite struct ErrorMappingTests {
    static let statuses: [(ErrorCode, HTTPResponse.Status)] = [
        (.unauthorized, .unauthorized), (.forbidden, .forbidden), (.notFound, .notFound),
        (.alreadyExists, .conflict), (.conflict, .conflict), (.invalidRequest, .badRequest),
        (.invalidBlueprint, .unprocessableContent), (.payloadTooLarge, .contentTooLarge),
        (.rangeNotSatisfiable, .rangeNotSatisfiable), (.workspaceNotRunning, .conflict),
        (.clusterUnavailable, .serviceUnavailable), (.sshUnavailable, .serviceUnavailable), (.gone, .gone),
        (.tooManyRequests, .tooManyRequests), (.timeout, .gatewayTimeout), (.internalError, .internalServerError),
        (ErrorCode(rawValue: "something_new"), .internalServerError),
    ]

    @Test(arguments: statuses.map { ($0.0.rawValue, Int($0.1.code)) })
    func eachErrorCodeAnswersItsStatus(code: String, status: Int) {
        #expect(Int(ErrorMapping.status(for: ErrorCode(rawValue: code)).code) == status)
    }

    @Test(arguments: statuses.filter { $0.0 != .internalError }.map { $0.0.rawValue })
    func codedModuleErrorsKeepCodeAndMessage(code: String) {
        let (error, unexpected) = ErrorMapping.apiError(for: ModuleError(code: ErrorCode(rawValue: code), message: "why it failed"))
        #expect(error.code.rawValue == code)
        #expect(error.status == ErrorMapping.status(for: ErrorCode(rawValue: code)))
        #expect(error.message == "why it failed")
        #expect(!unexpected)
    }

    @Test func apiErrorsPassThroughUnchanged() {
        let original = APIError(.forbidden, .forbidden, "this needs the admin role")
        let (error, unexpected) = ErrorMapping.apiError(for: original)
        #expect(error.status == .forbidden && error.code == .forbidden && error.message == original.message)
        #expect(!unexpected)
    }

    @Test func decodingErrorsAreInvalidRequests() throws {
        let failure = try #require(throws: DecodingError.self) { try JSONDecoder().decode(Named.self, from: Data(#"{"name": 7}"#.utf8)) }
        let (error, unexpected) = ErrorMapping.apiError(for: failure)
        #expect(error.status == .badRequest)
        #expect(error.code == .invalidRequest)
        #expect(error.message.contains("name"))
        #expect(!unexpected)
    }

    @Test func unknownErrorsAreInternalWithoutTheirText() {
        let (error, unexpected) = ErrorMapping.apiError(for: Surprise())
        #expect(error.status == .internalServerError)
        #expect(error.code == .internalError)
        #expect(error.message == "internal error")
        #expect(!String(decoding: error.body, as: UTF8.self).contains("secret.db"))
        #expect(unexpected)
    }

    @Test func aRequestCutOffMidBodyIsTheClientsFaultNotABug() {
        let (error, unexpected) = ErrorMapping.apiError(for: HTTPParserError.invalidEOFState)
        #expect(error.status == .badRequest && error.code == .invalidRequest)
        #expect(error.message.contains("stream ended"))
        #expect(!unexpected)
    }

    @Test func aCancelledRequestIsNotLoggedAsABug() {
        let (error, unexpected) = ErrorMapping.apiError(for: CancellationError())
        #expect(error.status == .internalServerError && error.code == .internalError)
        #expect(error.message.contains("cancelled"))
        #expect(!unexpected)
    }

    @Test func internalCodedErrorsHideTheirMessage() {
        let (error, unexpected) = ErrorMapping.apiError(for: ModuleError(code: .internalError, message: "stack: frame 3 at /src/x.swift"))
        #expect(error.status == .internalServerError && error.code == .internalError)
        #expect(error.message == "internal error")
        #expect(unexpected)
    }

    @Test func unknownRoutesAreNotFound() {
        let (error, unexpected) = ErrorMapping.apiError(for: HTTPError(.notFound))
        #expect(error.status == .notFound && error.code == .notFound && error.message == "no such route")
        #expect(!unexpected)
        let (method, _) = ErrorMapping.apiError(for: HTTPError(.methodNotAllowed))
        #expect(method.status == .methodNotAllowed && method.code == .notFound)
    }

    @Test func oversizedBodiesArePayloadTooLarge() {
        let (error, _) = ErrorMapping.apiError(for: HTTPError(.contentTooLarge))
        #expect(error.status == .contentTooLarge && error.code == .payloadTooLarge)
    }

    @Test func otherHTTPErrorsGetACodeByStatusClass() {
        #expect(ErrorMapping.apiError(for: HTTPError(.badRequest, message: "bad")).error.code == .invalidRequest)
        #expect(ErrorMapping.apiError(for: HTTPError(.badRequest, message: "bad")).error.message == "bad")
        #expect(ErrorMapping.apiError(for: HTTPError(.serviceUnavailable)).error.code == .clusterUnavailable)
        #expect(ErrorMapping.apiError(for: HTTPError(.badGateway)).error.code == .internalError)
    }
}
