import ArgumentParser
import Foundation
import Logging

/// `cubicle-bench provision`: N users each provision one workspace through the HTTP API, at most
/// C at a time, against an in-process server on the embedded cluster with the instant kubelet;
/// then the same rendered objects are applied straight to the embedded API server as a reference.
struct ProvisionBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Measure POST /api/v1/workspaces → job completed latency and throughput, with a raw-apply reference."
    )

    @Option(help: "Workspaces to provision (one user each).")
    var count = 50

    @Option(help: "Provisions in flight at most.")
    var concurrency = 10

    @Option(help: "The blueprint every user provisions.")
    var blueprint = "minimal"

    @Option(help: "How to follow each job: sse (event stream, default) or poll (GET every 20 ms).")
    var follow = "sse"

    @OptionGroup var options: BenchOptions

    @Flag(help: "Skip the raw-apply reference.")
    var noReference = false

    @Flag(help: "Also print the results as JSON.")
    var json = false

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
        guard APIClient.Follow(rawValue: follow) != nil else { throw ValidationError("--follow must be sse or poll") }
    }

    func run() async throws {
        options.bootstrapLogging()
        let mode = APIClient.Follow(rawValue: follow) ?? .sse
        let server = try await BenchServer.start(repository: options.repository, provisionTimeout: 300, logger: Logger(label: "cubicle-bench"))
        do {
            let report = try await measure(server, follow: mode)
            await server.stop()
            print(report: report)
        } catch {
            await server.stop()
            throw error
        }
    }

    private func measure(_ server: BenchServer, follow mode: APIClient.Follow) async throws -> BenchReport {
        let api = APIClient(baseURL: server.url, connections: concurrency + 4)
        let admin = server.adminToken
        let users = await bounded(count: count, concurrency: concurrency) { index -> Result<String, any Error> in
            await Result(asyncCatching: { try await api.makeUser("bench-\(index)", adminToken: admin) })
        }
        let tokens = try users.map { try $0.get() }

        let body = #"{"blueprint":"\#(blueprint)"}"#
        let clock = ContinuousClock()
        let started = clock.now
        let samples = await bounded(count: count, concurrency: concurrency) { index in
            let begin = clock.now
            do {
                let posted = try await api.send("POST", "/api/v1/workspaces", token: tokens[index], json: body)
                guard posted.status == 202, let job = posted.string("jobId") else {
                    throw BenchError("POST /api/v1/workspaces: \(posted.status) \(posted.text)")
                }
                let result = try await api.finish(job: job, token: tokens[index], follow: mode)
                guard result == "succeeded" else { throw BenchError("job \(job) completed with result \(result)") }
                return Sample(latency: clock.now - begin, failure: nil)
            } catch {
                return Sample(latency: clock.now - begin, failure: "\(error)")
            }
        }
        let cubicle = Summary(
            measures: "Cubicle: POST /api/v1/workspaces until its job completed with result succeeded (followed by \(mode.rawValue)), over HTTP",
            samples: samples, concurrency: concurrency, wall: clock.now - started)

        api.close()

        var reference: Summary?
        if !noReference {
            let raw = ReferenceApply(kubeconfig: server.kubeconfig, repository: options.repository, blueprint: blueprint)
            let sets = try await raw.render(count: count)
            let objects = sets.first?.count ?? 0
            let (samples, wall) = try await raw.run(sets, concurrency: concurrency)
            reference = Summary(
                measures: "Reference: server-side apply of the \(objects) rendered objects of one workspace, in order, through KubeClient to the embedded API server (no store, jobs, keys or readiness wait)",
                samples: samples, concurrency: concurrency, wall: wall)
        }
        return BenchReport(
            build: Self.build, blueprint: blueprint, follow: mode.rawValue, cubicle: cubicle, reference: reference,
            wallRatio: reference.flatMap { $0.wallSeconds > 0 ? cubicle.wallSeconds / $0.wallSeconds : nil },
            p50Ratio: reference.flatMap { $0.p50Ms > 0 ? cubicle.p50Ms / $0.p50Ms : nil })
    }

    private func print(report: BenchReport) {
        var lines = ["cubicle-bench provision (\(report.build) build, blueprint \(report.blueprint), instant kubelet, in-process server)"]
        lines.append(Summary.header)
        lines.append(report.cubicle.row("CUBICLE"))
        if let reference = report.reference { lines.append(reference.row("REFERENCE")) }
        lines.append("CUBICLE   = \(report.cubicle.measures)")
        if let reference = report.reference { lines.append("REFERENCE = \(reference.measures)") }
        if let wall = report.wallRatio, let p50 = report.p50Ratio {
            lines.append(String(format: "RATIO     = Cubicle/reference per workspace: wall time %.1fx, p50 latency %.1fx", wall, p50))
        }
        for failure in report.cubicle.sampleFailures + (report.reference?.sampleFailures ?? []) {
            lines.append("failure: \(failure)")
        }
        Swift.print(lines.joined(separator: "\n"))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            if let data = try? encoder.encode(report) { Swift.print(String(decoding: data, as: UTF8.self)) }
        }
    }

    private static var build: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }
}

extension Result where Failure == any Error {
    /// Captures an async throwing body.
    fileprivate init(asyncCatching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
