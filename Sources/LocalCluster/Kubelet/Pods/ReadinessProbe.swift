import CubicleModel
import NIOCore
import NIOPosix

/// A container's `readinessProbe`: what to check and how often. TCP checks connect to the pod's
/// address through NIO; exec checks run the command inside the pod's sandbox; `httpGet` is
/// checked as a TCP connect to its port.
struct ReadinessProbe: Sendable, Equatable {
    /// What the probe checks.
    enum Check: Sendable, Equatable {
        case tcp(port: Int)
        case exec([String])
    }

    var check: Check
    var initialDelay: Double
    var period: Double
    var timeout: Double
    var successThreshold: Int
    var failureThreshold: Int

    /// The probe of `container`, or nil when it has none (or one this kubelet cannot run).
    static func parse(_ container: PodSpecView.Container) -> ReadinessProbe? {
        guard let json = container.json["readinessProbe"] else { return nil }
        let check: Check
        if let port = json[path: ["tcpSocket", "port"]] ?? json[path: ["httpGet", "port"]] {
            guard let number = resolvePort(port, in: container) else { return nil }
            check = .tcp(port: number)
        } else if let command = json[path: ["exec", "command"]]?.arrayValue?.compactMap(\.stringValue), !command.isEmpty {
            check = .exec(command)
        } else {
            return nil
        }
        func seconds(_ key: String, _ fallback: Int64, minimum: Int64) -> Double {
            Double(max(minimum, json[key]?.intValue ?? fallback))
        }
        return ReadinessProbe(
            check: check, initialDelay: seconds("initialDelaySeconds", 0, minimum: 0), period: seconds("periodSeconds", 10, minimum: 1),
            timeout: seconds("timeoutSeconds", 1, minimum: 1),
            successThreshold: Int(max(1, json["successThreshold"]?.intValue ?? 1)),
            failureThreshold: Int(max(1, json["failureThreshold"]?.intValue ?? 3)))
    }

    /// A numeric port, or a named one from the container's `ports`.
    private static func resolvePort(_ value: JSONValue, in container: PodSpecView.Container) -> Int? {
        if let number = value.intValue, (1...65535).contains(number) { return Int(number) }
        guard let name = value.stringValue else { return nil }
        if let number = Int(name), (1...65535).contains(number) { return number }
        for port in container.json["ports"]?.arrayValue ?? [] where port["name"]?.stringValue == name {
            if let number = port["containerPort"]?.intValue, (1...65535).contains(number) { return Int(number) }
        }
        return nil
    }

    /// Whether something accepts TCP connections on `host:port` within `timeout` seconds.
    static func connects(host: String, port: Int, timeout: Double) async -> Bool {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(timeout * 1000)))
        do {
            let channel = try await bootstrap.connect(host: host, port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}

/// Counts consecutive results against a probe's thresholds, like the kubelet's prober.
struct ProbeCounter: Sendable {
    let probe: ReadinessProbe
    private var successes = 0
    private var failures = 0
    private(set) var ready = false

    init(probe: ReadinessProbe) {
        self.probe = probe
    }

    /// Adds one result; returns the readiness when it changed.
    mutating func record(_ success: Bool) -> Bool? {
        if success {
            successes += 1
            failures = 0
            if !ready && successes >= probe.successThreshold {
                ready = true
                return true
            }
        } else {
            failures += 1
            successes = 0
            if ready && failures >= probe.failureThreshold {
                ready = false
                return false
            }
        }
        return nil
    }
}
