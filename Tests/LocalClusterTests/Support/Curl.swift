import CubicleModel
import Foundation

/// How a curl request authenticates.
enum CurlAuth: Sendable {
    /// The admin client certificate.
    case admin
    /// `Authorization: Bearer <token>`.
    case bearer(String)
    /// A client certificate and key from files.
    case certificate(certificatePath: String, keyPath: String)
    /// No credentials.
    case none
}

/// A complete HTTP response as curl saw it.
struct HTTPResult: Sendable {
    let status: Int
    /// Header values by lower-case name.
    let headers: [String: String]
    let body: [UInt8]

    /// The body as JSON, or `.null`.
    var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The `message` of a `Status` body, or empty.
    var message: String { json["message"]?.stringValue ?? "" }
}

extension TestCluster {
    /// Performs a request with the real `curl` and returns status, headers and body.
    func request(
        _ method: String, _ path: String, json: JSONValue? = nil, body: String? = nil,
        contentType: String = "application/json", headers: [String: String] = [:], auth: CurlAuth = .admin
    ) async throws -> HTTPResult {
        var arguments = ["-s", "-S", "-g", "-i", "--max-time", "30", "-X", method] + authArguments(auth)
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        var input: [UInt8] = []
        if let json {
            input = json.serialized()
        } else if let body {
            input = Array(body.utf8)
        }
        if json != nil || body != nil {
            arguments += ["-H", "Content-Type: \(contentType)", "--data-binary", "@-"]
        }
        arguments.append(address.url + path)
        let output = try await Subprocess.run("/usr/bin/curl", arguments, input: input)
        guard output.status == 0 else {
            throw TestFailure("curl \(method) \(path) failed (\(output.status)): \(output.standardError)")
        }
        return try Self.parse(output.stdout)
    }

    /// Starts a streaming request (a watch) and returns the curl process; its stdout lines are events.
    func stream(_ path: String, auth: CurlAuth = .admin) throws -> Subprocess {
        try Subprocess("/usr/bin/curl", ["-s", "-S", "-g", "-N", "--max-time", "120"] + authArguments(auth) + [address.url + path])
    }

    func authArguments(_ auth: CurlAuth) -> [String] {
        var arguments: [String] = tls ? ["--cacert", caPath] : []
        switch auth {
        case .admin where tls: arguments += ["--cert", adminCertificatePath, "--key", adminKeyPath]
        case .admin, .none: break
        case .bearer(let token): arguments += ["-H", "Authorization: Bearer \(token)"]
        case .certificate(let certificate, let key): arguments += ["--cert", certificate, "--key", key]
        }
        return arguments
    }

    /// Splits `curl -i` output into status, headers and body (skipping `100 Continue` blocks).
    static func parse(_ raw: [UInt8]) throws -> HTTPResult {
        var rest = raw[...]
        while true {
            guard let end = findHeaderEnd(rest) else { throw TestFailure("no HTTP header block in curl output") }
            let block = String(decoding: rest[rest.startIndex..<end], as: UTF8.self)
            rest = rest[(end + 4)...]
            var lines = block.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst()
            let parts = statusLine.split(separator: " ")
            guard parts.count >= 2, let status = Int(parts[1]) else { throw TestFailure("bad status line \(statusLine)") }
            if status >= 100 && status < 200 { continue }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return HTTPResult(status: status, headers: headers, body: Array(rest))
        }
    }

    private static func findHeaderEnd(_ bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        while index + 3 < bytes.endIndex {
            if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 { return index }
            index += 1
        }
        return nil
    }
}

/// Small JSON conveniences for assertions.
extension JSONValue {
    /// `metadata.resourceVersion` as a number.
    var resourceVersionNumber: Int64? { self[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap { Int64($0) } }

    /// The names of a list's items.
    var itemNames: [String] {
        (self["items"]?.arrayValue ?? []).compactMap { $0[path: ["metadata", "name"]]?.stringValue }
    }
}
