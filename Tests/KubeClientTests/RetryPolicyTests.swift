import CubicleModel
import Testing

@testable import KubeClient

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 4, backoff: Backoff(initial: 1, maximum: 4, multiplier: 2, jitter: 0), maxRetryAfter: 30)

    @Test func retriesTransientStatusesForRepeatableMethods() {
        for method in ["GET", "PUT", "PATCH", "DELETE"] {
            for status in [429, 500, 502, 503, 504] {
                #expect(policy.decide(method: method, status: status, retryAfter: nil, attempt: 0, random: 0.5) == .retry(after: 1))
            }
        }
    }

    @Test func postIsRetriedOnlyOn429() {
        #expect(policy.decide(method: "POST", status: 429, retryAfter: nil, attempt: 0, random: 0.5) == .retry(after: 1))
        for status in [500, 502, 503, 504] {
            #expect(policy.decide(method: "POST", status: status, retryAfter: nil, attempt: 0, random: 0.5) == .fail)
        }
    }

    @Test func clientErrorsAreNeverRetried() {
        for status in [400, 401, 403, 404, 409, 410, 422, 501] {
            #expect(policy.decide(method: "GET", status: status, retryAfter: "1", attempt: 0, random: 0.5) == .fail)
        }
    }

    @Test func honoursRetryAfterSecondsCapped() {
        #expect(policy.decide(method: "GET", status: 429, retryAfter: "7", attempt: 0, random: 0.5) == .retry(after: 7))
        #expect(policy.decide(method: "GET", status: 503, retryAfter: "3600", attempt: 0, random: 0.5) == .retry(after: 30))
        #expect(policy.decide(method: "GET", status: 503, retryAfter: " 0 ", attempt: 0, random: 0.5) == .retry(after: 0))
    }

    @Test func ignoresUnparseableRetryAfter() {
        #expect(policy.decide(method: "GET", status: 429, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT", attempt: 1, random: 0.5) == .retry(after: 2))
        #expect(policy.decide(method: "GET", status: 429, retryAfter: "-5", attempt: 0, random: 0.5) == .retry(after: 1))
    }

    @Test func backoffGrowsCappedAndAttemptsAreBounded() {
        #expect(policy.decide(method: "GET", status: 500, retryAfter: nil, attempt: 0, random: 0.5) == .retry(after: 1))
        #expect(policy.decide(method: "GET", status: 500, retryAfter: nil, attempt: 1, random: 0.5) == .retry(after: 2))
        #expect(policy.decide(method: "GET", status: 500, retryAfter: nil, attempt: 2, random: 0.5) == .retry(after: 4))
        #expect(policy.decide(method: "GET", status: 500, retryAfter: nil, attempt: 3, random: 0.5) == .fail)
        #expect(RetryPolicy.none.decide(method: "GET", status: 503, retryAfter: nil, attempt: 0, random: 0.5) == .fail)
    }

    @Test func errorCodesMapFromStatusAndReason() {
        #expect(KubeError.errorCode(httpStatus: 404, reason: "NotFound") == .notFound)
        #expect(KubeError.errorCode(httpStatus: 409, reason: "AlreadyExists") == .alreadyExists)
        #expect(KubeError.errorCode(httpStatus: 409, reason: "Conflict") == .conflict)
        #expect(KubeError.errorCode(httpStatus: 422, reason: "Invalid") == .invalidRequest)
        #expect(KubeError.errorCode(httpStatus: 401, reason: nil) == .unauthorized)
        #expect(KubeError.errorCode(httpStatus: 403, reason: nil) == .forbidden)
        #expect(KubeError.errorCode(httpStatus: 410, reason: "Expired") == .gone)
        #expect(KubeError.errorCode(httpStatus: 503, reason: nil) == .clusterUnavailable)
    }

    @Test func responseErrorDecodesStatusBody() {
        let body = Array(#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \"x\" already exists","reason":"AlreadyExists","details":{"name":"x","kind":"pods"},"code":409}"#.utf8)
        let error = KubeError.response(httpStatus: 409, body: body, request: "create pods default/x")
        #expect(error.code == .alreadyExists)
        #expect(error.isAlreadyExists)
        #expect(!error.isConflict)
        #expect(error.status?.details?.name == "x")
        #expect(error.message.contains("already exists"))
        let garbage = KubeError.response(httpStatus: 502, body: Array("<html>bad gateway</html>".utf8), request: "get pods")
        #expect(garbage.code == .clusterUnavailable)
        #expect(garbage.status == nil)
        #expect(garbage.message.contains("bad gateway"))
    }
}
