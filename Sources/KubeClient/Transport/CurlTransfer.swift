import CLibCurl
import Foundation

/// One easy handle and its callbacks. Created, configured, driven and cleaned up only on the
/// reactor thread; the consumer sees it only through its `ResponseStream`.
final class CurlTransfer {
    let stream: ResponseStream
    let easy: UnsafeMutableRawPointer
    let url: String
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var connectToList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var pendingStatus: Int?
    private var pendingHeaders: [HTTPHeader] = []
    private var headDelivered = false
    private var cleanedUp = false

    /// Creates and configures the easy handle; throws `KubeError` if libcurl refuses an option.
    init(request: CurlRequest, stream: ResponseStream) throws {
        guard let easy = curl_easy_init() else {
            throw KubeError.transport("curl_easy_init failed", url: request.url)
        }
        self.easy = easy
        self.stream = stream
        self.url = request.url
        errorBuffer = .allocate(capacity: Int(CUBICLE_CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CUBICLE_CURL_ERROR_SIZE) + 1)
        do {
            try configure(request)
        } catch {
            cleanup()
            throw error
        }
    }

    deinit {
        assert(cleanedUp, "CurlTransfer leaked its easy handle")
    }

    /// Releases the easy handle and everything it referenced; call after removing it from the multi handle.
    func cleanup() {
        guard !cleanedUp else { return }
        cleanedUp = true
        curl_easy_cleanup(easy)
        if let headerList { curl_slist_free_all(headerList) }
        if let connectToList { curl_slist_free_all(connectToList) }
        errorBuffer.deallocate()
    }

    /// libcurl's description of a failure, preferring the detailed error buffer.
    func errorText(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        let summary = String(cString: curl_easy_strerror(code))
        return detail.isEmpty ? summary : "\(summary): \(detail)"
    }

    /// Publishes the head from libcurl's info when the header callback did not (e.g. no body).
    func deliverHeadIfNeeded() {
        guard !headDelivered else { return }
        var code = 0
        _ = cubicle_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
        deliverHead(ResponseHead(status: pendingStatus ?? code, headers: pendingHeaders))
    }

    private func deliverHead(_ head: ResponseHead) {
        headDelivered = true
        stream.deliverHead(head)
    }

    // MARK: callbacks

    fileprivate func receiveBody(_ data: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int {
        deliverHeadIfNeeded()
        guard let data, length > 0 else { return length }
        switch stream.offer(UnsafeRawBufferPointer(start: data, count: length)) {
        case .accepted: return length
        case .pause: return Int(CUBICLE_CURL_WRITEFUNC_PAUSE)
        case .abort: return 0
        }
    }

    fileprivate func receiveHeader(_ data: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int {
        guard let data, length > 0 else { return length }
        var raw = UnsafeRawBufferPointer(start: data, count: length)[...]
        // Strip CR/LF as bytes: "\r\n" is one Character, so String suffix checks would miss it.
        while let last = raw.last, last == 0x0A || last == 0x0D { raw = raw.dropLast() }
        let line = String(decoding: raw, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            let parts = line.split(separator: " ", maxSplits: 2)
            pendingStatus = parts.count > 1 ? Int(parts[1]) : nil
            pendingHeaders = []
        } else if line.isEmpty {
            // A 1xx interim response is followed by the real one.
            if let status = pendingStatus, status >= 200, !headDelivered {
                deliverHead(ResponseHead(status: status, headers: pendingHeaders))
            }
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            pendingHeaders.append(HTTPHeader(name, value))
        }
        return length
    }

    // MARK: configuration

    private func configure(_ request: CurlRequest) throws {
        var url = request.url
        if let serverName = request.tls.serverName, !serverName.isEmpty {
            url = try routeThroughServerName(url: url, serverName: serverName)
        }
        try set(CURLOPT_URL, url)
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_ERRORBUFFER, UnsafeRawPointer(errorBuffer))
        try set(CURLOPT_HTTP_VERSION, request.httpVersion == .http2 ? Int(CURL_HTTP_VERSION_2TLS) : Int(CURL_HTTP_VERSION_1_1))
        try set(CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout * 1000))
        if let timeout = request.timeout { try set(CURLOPT_TIMEOUT_MS, Int(timeout * 1000)) }
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        try set(CURLOPT_TCP_KEEPIDLE, 30)
        try set(CURLOPT_TCP_KEEPINTVL, 15)
        try set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        if let proxy = request.proxy { try set(CURLOPT_PROXY, proxy) }

        try configureMethod(request)
        try configureTLS(request.tls)

        var headers = request.headers.map { "\($0.name): \($0.value)" }
        headers.append("Expect:")  // no 100-continue round trip for request bodies
        for header in headers {
            guard let list = curl_slist_append(headerList, header) else {
                throw KubeError.transport("curl_slist_append failed", url: request.url)
            }
            headerList = list
        }
        try check(cubicle_curl_easy_setopt_ptr(easy, CURLOPT_HTTPHEADER, UnsafeRawPointer(headerList)), "CURLOPT_HTTPHEADER")

        let context = UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
        try check(
            cubicle_curl_easy_setopt_write_cb(easy) { data, size, count, context in
                guard let context else { return 0 }
                return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().receiveBody(data, size * count)
            }, "CURLOPT_WRITEFUNCTION")
        try check(cubicle_curl_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, context), "CURLOPT_WRITEDATA")
        try check(
            cubicle_curl_easy_setopt_header_cb(easy) { data, size, count, context in
                guard let context else { return 0 }
                return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().receiveHeader(data, size * count)
            }, "CURLOPT_HEADERFUNCTION")
        try check(cubicle_curl_easy_setopt_ptr(easy, CURLOPT_HEADERDATA, context), "CURLOPT_HEADERDATA")
    }

    private func configureMethod(_ request: CurlRequest) throws {
        let method = request.method.uppercased()
        if let body = request.body {
            try check(cubicle_curl_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "CURLOPT_POSTFIELDSIZE_LARGE")
            // COPYPOSTFIELDS copies the bytes, so the request value need not outlive this call.
            try (body.isEmpty ? [0] : body).withUnsafeBytes { raw in
                try check(cubicle_curl_easy_setopt_ptr(easy, CURLOPT_COPYPOSTFIELDS, raw.baseAddress), "CURLOPT_COPYPOSTFIELDS")
            }
            if method != "POST" { try set(CURLOPT_CUSTOMREQUEST, method) }
        } else if method == "GET" {
            try set(CURLOPT_HTTPGET, 1)
        } else if method == "POST" {
            try set(CURLOPT_POST, 1)
            try check(cubicle_curl_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, 0), "CURLOPT_POSTFIELDSIZE_LARGE")
        } else {
            try set(CURLOPT_CUSTOMREQUEST, method)
        }
    }

    private func configureTLS(_ tls: TLSOptions) throws {
        if let ca = tls.certificateAuthorityPEM {
            try setBlob(CURLOPT_CAINFO_BLOB, ca)
            // Trust only the given CA, not the system bundle libcurl loads by default.
            try check(cubicle_curl_easy_setopt_ptr(easy, CURLOPT_CAINFO, nil), "CURLOPT_CAINFO")
            try check(cubicle_curl_easy_setopt_ptr(easy, CURLOPT_CAPATH, nil), "CURLOPT_CAPATH")
        }
        if let certificate = tls.clientCertificatePEM {
            try setBlob(CURLOPT_SSLCERT_BLOB, certificate)
            try set(CURLOPT_SSLCERTTYPE, "PEM")
        }
        if let key = tls.clientKeyPEM {
            try setBlob(CURLOPT_SSLKEY_BLOB, key)
            try set(CURLOPT_SSLKEYTYPE, "PEM")
        }
        if tls.insecureSkipVerify {
            try set(CURLOPT_SSL_VERIFYPEER, 0)
            try set(CURLOPT_SSL_VERIFYHOST, 0)
        }
    }

    /// Rewrites the URL to carry `serverName` (so SNI and certificate checks use it) and tells
    /// libcurl to connect to the original host and port instead.
    private func routeThroughServerName(url: String, serverName: String) throws -> String {
        guard var components = URLComponents(string: url), let host = components.host else {
            throw KubeError.invalid("invalid server URL \(url)")
        }
        let port = components.port ?? (components.scheme == "http" ? 80 : 443)
        let target = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        components.host = serverName
        components.port = port
        guard let rewritten = components.string else { throw KubeError.invalid("invalid server URL \(url)") }
        guard let list = curl_slist_append(nil, "\(serverName):\(port):\(target):\(port)") else {
            throw KubeError.transport("curl_slist_append failed", url: url)
        }
        connectToList = list
        try check(cubicle_curl_easy_setopt_ptr(easy, CURLOPT_CONNECT_TO, UnsafeRawPointer(list)), "CURLOPT_CONNECT_TO")
        return rewritten
    }

    private func set(_ option: CURLoption, _ value: Int) throws {
        try check(cubicle_curl_easy_setopt_long(easy, option, value), "\(option)")
    }

    private func set(_ option: CURLoption, _ value: String) throws {
        try value.withCString { try check(cubicle_curl_easy_setopt_ptr(easy, option, $0), "\(option)") }
    }

    private func set(_ option: CURLoption, _ pointer: UnsafeRawPointer) throws {
        try check(cubicle_curl_easy_setopt_ptr(easy, option, pointer), "\(option)")
    }

    private func setBlob(_ option: CURLoption, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var blob = curl_blob(
                data: UnsafeMutableRawPointer(mutating: raw.baseAddress), len: raw.count, flags: UInt32(CUBICLE_CURL_BLOB_COPY))
            try check(cubicle_curl_easy_setopt_blob(easy, option, &blob), "blob option \(option.rawValue)")
        }
    }

    private func check(_ code: CURLcode, _ what: String) throws {
        guard code == CURLE_OK else {
            throw KubeError.transport("libcurl rejected \(what): \(String(cString: curl_easy_strerror(code)))", url: url)
        }
    }
}

@available(*, unavailable)
extension CurlTransfer: Sendable {}
