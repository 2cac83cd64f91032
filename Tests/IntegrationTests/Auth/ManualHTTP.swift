import CubicleTestSupport
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTP that does not follow redirects and keeps no cookies, to drive a login flow by hand.
enum ManualHTTP {
    /// One exchange.
    struct Reply: Sendable {
        let status: Int
        let body: Data
        let headers: [String: String]
        /// Every `Set-Cookie` value.
        let cookies: [String: String]

        var location: String? { headers["location"] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    private final class NoRedirects: NSObject, URLSessionTaskDelegate {
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }
    }

    private static let session: Unchecked<URLSession> = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        return Unchecked(value: URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil))
    }()

    static func send(_ request: URLRequest) async throws -> Reply {
        let (data, response) = try await session.value.data(for: request)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http?.allHeaderFields ?? [:] { fields["\(key)".lowercased()] = "\(value)" }
        var cookies: [String: String] = [:]
        if let http, let url = http.url {
            for cookie in HTTPCookie.cookies(withResponseHeaderFields: http.allHeaderFields as? [String: String] ?? [:], for: url) {
                cookies[cookie.name] = cookie.value
            }
        }
        return Reply(status: http?.statusCode ?? 0, body: data, headers: fields, cookies: cookies)
    }

    static func get(_ url: String, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        return try await send(request)
    }

    static func post(_ url: String, form: String? = nil, json: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        if let form {
            request.httpBody = Data(form.utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        return try await send(request)
    }

    /// The value of query parameter `name` in `url`.
    static func query(_ url: String, _ name: String) -> String? {
        URLComponents(string: url)?.queryItems?.first { $0.name == name }?.value
    }

    /// `url` with query parameter `name` replaced.
    static func replacing(_ url: String, _ name: String, with value: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.queryItems = components.queryItems?.map { $0.name == name ? URLQueryItem(name: name, value: value) : $0 }
        return components.string ?? url
    }
}
