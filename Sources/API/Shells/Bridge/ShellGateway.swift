import CubicleModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import SSHClient

/// `GET /workspaces/:name/interactive`: the checks before the upgrade (so 401/404/409 answer as
/// plain HTTP) and the WebSocket side after it, which opens or re-attaches the shell and bridges
/// it to the socket.
struct ShellGateway: Sendable {
    /// The response header naming the session to re-attach with.
    static let sessionHeader = HTTPField.Name("X-Cubicle-Session")!

    let dependencies: APIDependencies

    /// Everything that can be refused before the upgrade; throws the HTTP error.
    func plan(_ request: Request, _ context: CubicleRequestContext) throws -> ShellPlan {
        let caller = try context.requireCaller()
        let workspace = try dependencies.visibleWorkspace(context.parameters.require("name"), for: caller)
        let offer = ExecSubprotocol.offer(from: request.headers[values: .secWebSocketProtocol])
        let subprotocol = try ExecSubprotocol.negotiate(offer)
        let options = try ShellOptions(query: request.query)
        let registry = dependencies.shells
        let sessionID: String
        if let id = options.session {
            let session = try registry.session(id, username: caller.username, workspace: workspace)
            switch session.attachability() {
            case .busy: throw APIError(.conflict, .conflict, "session \(id) already has a client attached")
            case .gone: throw APIError(.gone, .gone, "session \(id) has ended")
            case .attach: break
            }
            sessionID = id
        } else {
            _ = try dependencies.connector.endpoint(of: workspace)
            sessionID = UUID().uuidString.lowercased()
        }
        return ShellPlan(
            caller: caller, workspace: workspace, subprotocol: subprotocol, options: options, sessionID: sessionID,
            reattach: options.session != nil, clientIP: context.remoteIP,
            client: String((request.headers[.userAgent] ?? "").prefix(200)))
    }

    /// The upgrade response headers for a plan.
    static func upgradeHeaders(_ plan: ShellPlan) -> HTTPFields {
        var headers = HTTPFields()
        if let subprotocol = plan.subprotocol { headers[.secWebSocketProtocol] = subprotocol.rawValue }
        headers[sessionHeader] = plan.sessionID
        return headers
    }

    /// Runs one WebSocket: attaches (starting the shell first when new), then bridges until
    /// the program ends or the client leaves; rethrows a framing error of the WebSocket layer
    /// so the connection closes with its code. The bridge (and a new shell's output pump) run
    /// on the socket's `eventLoop`.
    func run(
        _ plan: ShellPlan, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, eventLoop: any EventLoop, logger: Logger
    ) async throws {
        let executor = EventLoopTaskExecutor(eventLoop)
        try await withTaskExecutorPreference(executor) {
            try await bridge(plan, inbound: inbound, outbound: outbound, executor: executor, logger: logger)
        }
    }

    private func bridge(
        _ plan: ShellPlan, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, executor: EventLoopTaskExecutor,
        logger: Logger
    ) async throws {
        let session: LiveShell
        do {
            if plan.reattach {
                session = try dependencies.shells.session(plan.sessionID, username: plan.caller.username, workspace: plan.workspace)
            } else {
                session = try await start(plan)
            }
        } catch {
            logger.warning("could not start a shell", metadata: ["workspace": "\(plan.workspace)", "error": "\(error)"])
            await fail(outbound, message(for: error))
            return
        }
        let attached = session.attach()
        // A new session's pump starts once its first client is attached (or refused: the pump
        // must still drain the channel and record the end).
        if !plan.reattach { session.startPump(on: executor) }
        switch attached {
        case .failure(let error):
            try? await outbound.close(.policyViolation, reason: error.message)
        case .success(let attachment):
            defer { session.detach(attachment) }
            try await ShellBridge(
                session: session, attachment: attachment, subprotocol: plan.subprotocol, options: plan.options, time: dependencies.time)
                .run(inbound: inbound, outbound: outbound)
        }
    }

    private func start(_ plan: ShellPlan) async throws -> LiveShell {
        let endpoint = try dependencies.connector.endpoint(of: plan.workspace)
        let pty = plan.options.tty ? PTYRequest(term: "xterm-256color", cols: plan.options.cols, rows: plan.options.rows) : nil
        let channel = try await dependencies.connector.openChannel(for: endpoint, command: plan.options.commandLine, pty: pty)
        if !plan.options.stdin { channel.sendEOF() }
        let settings = dependencies.shells.settings
        var recorder: AsciicastRecorder?
        if let directory = settings.recordingDirectory, endpoint.access.recordSessions || settings.recordAll {
            recorder = try await AsciicastRecorder.create(
                path: (directory as NSString).appendingPathComponent("\(plan.sessionID).cast"), cols: plan.options.cols,
                rows: plan.options.rows, environment: ["TERM": "xterm-256color", "SHELL": plan.caller.user.shell],
                time: dependencies.time)
        }
        return try await dependencies.shells.start(
            plan: plan, blueprint: endpoint.access.blueprint, channel: channel, recorder: recorder)
    }

    private func message(for error: any Error) -> String {
        switch error {
        case let error as any CodedError: error.message
        default: "the shell could not be started"
        }
    }

    /// Sends an InternalError status and closes with a reason, as the kubelet does when exec fails.
    private func fail(_ outbound: WebSocketOutboundWriter, _ message: String) async {
        let status = ExecStatus.internalError(message)
        try? await outbound.write(.binary(ExecFrameCodec.frame(.status, Array(status.json.utf8)[...])))
        var reason = message
        while reason.utf8.count > 120 { reason.removeLast() }
        try? await outbound.close(.unexpectedServerError, reason: reason)
    }
}
