import CLibCurl
import Foundation
import Logging
import Synchronization

/// The one thread that owns libcurl: a `curl_multi` handle driven by `curl_multi_poll`, with
/// requests queued to it. Every easy handle lives and dies on that thread; response bodies reach
/// async callers with back-pressure. Call `shutdown()` before dropping the last reference.
public final class CurlReactor: Sendable {
    private let core: ReactorCore
    private let thread: Mutex<pthread_t?>
    private let logger: Logger

    /// Starts the reactor thread.
    public init(logger: Logger = Logger(label: "cubicle.kubeclient.curl")) throws {
        guard CurlGlobal.ensureInitialized() else {
            throw KubeError(code: .internalError, message: "curl_global_init failed")
        }
        guard let multi = curl_multi_init() else {
            throw KubeError(code: .internalError, message: "curl_multi_init failed")
        }
        let core = ReactorCore(multi: MultiHandle(pointer: multi))
        self.core = core
        self.logger = logger
        let body = ThreadBody(core: core, logger: logger)
        let context = Unmanaged.passRetained(body).toOpaque()
        var handle = pthread_t()
        let created = pthread_create(&handle, nil, { context in
            guard let context else { return nil }
            let body = Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue()
            Thread.current.name = "curl-reactor"
            body.run()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            curl_multi_cleanup(multi)
            throw KubeError(code: .internalError, message: "cannot start the curl reactor thread (error \(created))")
        }
        thread = Mutex(handle)
    }

    deinit {
        // Not shut down: let the thread finish on its own rather than leak it running.
        if core.requestStop(), let handle = thread.withLock({ $0 }) {
            pthread_detach(handle)
        }
    }

    /// Sends `request` and returns once the response head has arrived; the body then streams.
    /// Transport failures throw `KubeError` with code `cluster_unavailable`; cancelling the task
    /// aborts the transfer.
    public func execute(_ request: CurlRequest) async throws -> CurlResponse {
        let id = core.makeID()
        let stream = ResponseStream(id: id, limits: request.bufferLimits) { [core] control in
            core.post(.control(control))
        }
        let body = ResponseBody(stream: stream)
        guard core.post(.start(request, stream)) else {
            throw KubeError(code: .clusterUnavailable, message: "the Kubernetes client is shut down")
        }
        let head = try await stream.head()
        return CurlResponse(status: head.status, headers: head.headers, body: body)
    }

    /// How many transfers the reactor is driving right now.
    public var activeTransferCount: Int { core.state.withLock { $0.activeTransfers } }

    /// Aborts in-flight transfers (their consumers get `cluster_unavailable`), refuses new ones,
    /// closes the multi handle and joins the thread. Safe to call more than once.
    public func shutdown() async {
        _ = core.requestStop()
        await core.waitUntilStopped()
        // The thread has left its loop; joining only reaps it.
        if let handle = thread.withLock({ state -> pthread_t? in
            defer { state = nil }
            return state
        }) {
            pthread_join(handle, nil)
        }
    }
}

/// What the reactor thread runs; carried across `pthread_create` as a retained pointer.
private final class ThreadBody: Sendable {
    let core: ReactorCore
    let logger: Logger

    init(core: ReactorCore, logger: Logger) {
        self.core = core
        self.logger = logger
    }

    func run() { ReactorLoop(core: core, logger: logger).run() }
}
