import CLibCurl

/// `curl_global_init`, run exactly once per process before the first handle is made.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CUBICLE_CURL_GLOBAL_ALL)) == CURLE_OK
    }()

    /// Initializes libcurl if this is the first call; returns whether it succeeded.
    @discardableResult
    static func ensureInitialized() -> Bool { initialized }
}
