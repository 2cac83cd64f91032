import CubicleModel
import Foundation
import Logging

extension KubeClient {
    /// The choke point every request passes: reports it to the observer, attaches credentials,
    /// refreshes them once after a 401, retries transient failures per `retryPolicy`, and turns
    /// failure responses into `KubeError`. Returns the successful response with its body still
    /// streaming.
    func send(_ request: APIRequest, streaming: Bool = false) async throws -> CurlResponse {
        observe(request)
        var attempt = 0
        var refreshedCredentials = false
        while true {
            try Task.checkCancellation()
            let used = try await credentials.current()
            let response = try await reactor.execute(curlRequest(for: request, credentials: used, streaming: streaming))
            if (200..<300).contains(response.status) { return response }

            let body = try await response.body.collect(limit: 1 << 20)
            if response.status == 401, !refreshedCredentials, try await credentials.refreshAfterRejection(of: used) {
                refreshedCredentials = true
                logger.info("credentials refreshed after 401; retrying", metadata: ["request": "\(request.summary)"])
                continue
            }
            let decision = retryPolicy.decide(
                method: request.verb.httpMethod, status: response.status, retryAfter: response.header("Retry-After"), attempt: attempt,
                random: random())
            guard case .retry(let delay) = decision else {
                throw KubeError.response(httpStatus: response.status, body: body, request: request.summary)
            }
            logger.debug(
                "retrying after transient failure",
                metadata: ["request": "\(request.summary)", "status": "\(response.status)", "delay": "\(delay)"])
            try await timeSource.sleep(seconds: delay)
            attempt += 1
        }
    }

    /// Sends and decodes the JSON body of the answer (`.null` for an empty body).
    func sendForDocument(_ request: APIRequest) async throws -> JSONValue {
        let response = try await send(request)
        let bytes = try await response.body.collect()
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .null }
        return try KubeCodec.parse(bytes, context: "the answer to \(request.summary)")
    }

    private func observe(_ request: APIRequest) {
        observer?(RequestRecord(verb: request.verb, resource: request.resource, namespace: request.namespace, name: request.name))
    }

    private func curlRequest(for request: APIRequest, credentials: Credentials, streaming: Bool) -> CurlRequest {
        var server = config.server
        while server.hasSuffix("/") { server.removeLast() }
        var headers = [
            HTTPHeader("Accept", "application/json"),
            HTTPHeader("User-Agent", "cubicle/\(CubicleVersion.current)"),
        ]
        if let contentType = request.contentType { headers.append(HTTPHeader("Content-Type", contentType)) }
        if let token = credentials.bearerToken { headers.append(HTTPHeader("Authorization", "Bearer \(token)")) }
        var tls = config.tls
        if let certificate = credentials.clientCertificatePEM, let key = credentials.clientKeyPEM {
            tls.clientCertificatePEM = certificate
            tls.clientKeyPEM = key
        }
        return CurlRequest(
            method: request.verb.httpMethod, url: server + request.target, headers: headers, body: request.body, tls: tls,
            proxy: config.proxyURL, httpVersion: config.httpVersion, connectTimeout: config.connectTimeout,
            timeout: streaming ? nil : config.requestTimeout, bufferLimits: bufferLimits)
    }
}
