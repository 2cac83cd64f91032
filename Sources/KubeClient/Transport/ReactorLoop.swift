import CLibCurl
import Logging

/// The reactor thread's side: owns the multi handle and every easy handle, runs
/// `curl_multi_poll`, executes queued commands and reports completions. Never shared.
final class ReactorLoop {
    private let core: ReactorCore
    private let logger: Logger
    private var transfers: [UInt64: CurlTransfer] = [:]
    private var idsByHandle: [UnsafeMutableRawPointer: UInt64] = [:]

    init(core: ReactorCore, logger: Logger) {
        self.core = core
        self.logger = logger
    }

    private var multi: UnsafeMutableRawPointer { core.multi.pointer }

    /// Runs until shutdown is requested, then aborts what is left and closes the multi handle.
    func run() {
        while true {
            let (commands, stopping): ([ReactorCore.Command], Bool) = core.state.withLock { state in
                defer { state.commands.removeAll() }
                return (state.commands, state.phase != .running)
            }
            for command in commands { execute(command, stopping: stopping) }
            if stopping { break }

            var running: Int32 = 0
            let performed = curl_multi_perform(multi, &running)
            if performed != CURLM_OK {
                logger.error("curl_multi_perform failed", metadata: ["error": "\(String(cString: curl_multi_strerror(performed)))"])
            }
            collectCompletions()

            var timeout = -1
            _ = curl_multi_timeout(multi, &timeout)
            let wait = timeout < 0 ? 1000 : min(timeout, 1000)
            _ = curl_multi_poll(multi, nil, 0, Int32(wait), nil)
        }
        for id in Array(transfers.keys) {
            finish(id, .failure(KubeError(code: .clusterUnavailable, message: "the Kubernetes client is shutting down")))
        }
        let waiters: [CheckedContinuation<Void, Never>] = core.state.withLock { state in
            // Close the handle under the lock so no thread can wake it afterwards.
            curl_multi_cleanup(multi)
            state.phase = .stopped
            for case .start(_, let stream) in state.commands {
                stream.finish(.failure(KubeError(code: .clusterUnavailable, message: "the Kubernetes client is shut down")))
            }
            state.commands.removeAll()
            defer { state.stopWaiters.removeAll() }
            return state.stopWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func execute(_ command: ReactorCore.Command, stopping: Bool) {
        switch command {
        case .start(let request, let stream):
            if stopping {
                stream.finish(.failure(KubeError(code: .clusterUnavailable, message: "the Kubernetes client is shutting down")))
                return
            }
            start(request, stream)
        case .control(.resume(let id)):
            guard let transfer = transfers[id] else { return }
            transfer.stream.willResume()
            // May call the write callback synchronously with the data held back at pause time.
            _ = curl_easy_pause(transfer.easy, Int32(CUBICLE_CURLPAUSE_CONT))
        case .control(.cancel(let id)):
            finish(id, .failure(CancellationError()))
        }
    }

    private func start(_ request: CurlRequest, _ stream: ResponseStream) {
        do {
            let transfer = try CurlTransfer(request: request, stream: stream)
            let added = curl_multi_add_handle(multi, transfer.easy)
            guard added == CURLM_OK else {
                transfer.cleanup()
                stream.finish(.failure(KubeError.transport(String(cString: curl_multi_strerror(added)), url: request.url)))
                return
            }
            transfers[stream.id] = transfer
            idsByHandle[transfer.easy] = stream.id
            core.state.withLock { $0.activeTransfers = transfers.count }
        } catch {
            stream.finish(.failure(error))
        }
    }

    private func collectCompletions() {
        while true {
            var remaining: Int32 = 0
            guard let message = curl_multi_info_read(multi, &remaining) else { return }
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                let id = idsByHandle[easy], let transfer = transfers[id]
            else { continue }
            let code = cubicle_curl_msg_result(message)
            if code == CURLE_OK {
                transfer.deliverHeadIfNeeded()
                finish(id, .success(()))
            } else {
                finish(id, .failure(KubeError.transport(transfer.errorText(code), url: transfer.url)))
            }
        }
    }

    /// Removes the transfer from the multi handle, cleans it up and ends its stream.
    private func finish(_ id: UInt64, _ result: Result<Void, any Error>) {
        guard let transfer = transfers.removeValue(forKey: id) else { return }
        idsByHandle.removeValue(forKey: transfer.easy)
        _ = curl_multi_remove_handle(multi, transfer.easy)
        transfer.cleanup()
        transfer.stream.finish(result)
        core.state.withLock { $0.activeTransfers = transfers.count }
    }
}

@available(*, unavailable)
extension ReactorLoop: Sendable {}
