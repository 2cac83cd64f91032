import App
import ArgumentParser
import Foundation
import Logging

/// `cubicle-bench provision`: N users each provision one workspace through the HTTP API, at most
/// C at a time, against an in-process server on the embedded cluster with the instant kubelet;
/// interleaved with the same rendered objects applied straight to the embedded API server as a
/// reference (A B A B …, `--runs` times). Reports medians over runs of the per-run figures.
struct ProvisionBenchmark: Scenario {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Measure POST /api/v1/workspaces → job succeeded latency and throughput vs a raw-apply reference."
    )

    @Option(help: "Workspaces to provision per run (one user each).")
    var count = 50

    @Option(help: "Provisions in flight at most.")
    var concurrency = 10

    @Option(help: "Interleaved Cubicle/reference runs; figures are medians over runs.")
    var runs = 3

    @Option(help: "The blueprint every user provisions.")
    var blueprint = "minimal"

    @Option(help: "How to follow each job: sse (event stream, default) or poll (GET every 20 ms).")
    var follow = "sse"

    @Flag(help: "Skip the raw-apply reference.")
    var noReference = false

    @OptionGroup var options: BenchOptions

    func validate() throws {
        guard count > 0, concurrency > 0, runs > 0 else { throw ValidationError("--count, --concurrency and --runs must be positive") }
        guard APIClient.Follow(rawValue: follow) != nil else { throw ValidationError("--follow must be sse or poll") }
    }

    func measure(into report: MeasureReport) async throws {
        let server = try await BenchServer.start(repository: options.repository, provisionTimeout: 300, logger: Logger(label: "cubicle-bench"))
        do {
            try await measure(server, into: report)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// One run's figures for one side.
    struct RunFigures: Sendable {
        let p50Ms: Double
        let p99Ms: Double
        let perSecond: Double
        let wallSeconds: Double
        let succeeded: Int
        let failures: [String]

        init(samples: [Sample], wall: Duration) {
            let latencies = samples.filter { $0.failure == nil }.map(\.latency.milliseconds)
            p50Ms = percentile(latencies, 0.5)
            p99Ms = percentile(latencies, 0.99)
            wallSeconds = wall.milliseconds / 1000
            succeeded = latencies.count
            perSecond = wallSeconds > 0 ? Double(latencies.count) / wallSeconds : 0
            failures = samples.compactMap(\.failure)
        }
    }

    private func measure(_ server: BenchServer, into report: MeasureReport) async throws {
        let mode = APIClient.Follow(rawValue: follow) ?? .sse
        let raw = ReferenceApply(kubeconfig: server.kubeconfig, repository: options.repository, blueprint: blueprint)
        var cubicleRun = 0
        var referenceRun = 0
        let (ours, theirs) = try await interleaved(
            runs: runs,
            cubicle: { () async throws -> RunFigures? in
                defer { cubicleRun += 1 }
                return try await provisions(server, run: cubicleRun, follow: mode)
            },
            reference: { () async throws -> RunFigures? in
                defer { referenceRun += 1 }
                guard !noReference else { return nil }
                let sets = try await raw.render(count: count, run: referenceRun)
                let (samples, wall) = try await raw.run(sets, concurrency: concurrency)
                return RunFigures(samples: samples, wall: wall)
            })
        let mine = ours.compactMap { $0 }
        let references = theirs.compactMap { $0 }
        func add(_ metric: String, _ unit: String, n: Int, _ figure: (RunFigures) -> Double) {
            report.add(Measure(
                scenario: Self.name, metric: metric, cubicle: median(mine.map(figure)),
                reference: references.isEmpty ? nil : median(references.map(figure)), unit: unit, n: n))
        }
        add("p50-post-to-running", "ms", n: count * runs) { $0.p50Ms }
        add("p99-post-to-running", "ms", n: count * runs) { $0.p99Ms }
        add("workspaces-per-second", "1/s", n: runs) { $0.perSecond }
        add("wall-time", "s", n: runs) { $0.wallSeconds }
        report.add(Measure(
            scenario: Self.name, metric: "failures", cubicle: Double(mine.map(\.failures.count).reduce(0, +)),
            reference: references.isEmpty ? nil : Double(references.map(\.failures.count).reduce(0, +)), unit: "count",
            n: count * runs))
        let tracked = mine.map(\.succeeded).reduce(0, +)
        let resident = try await Offload.run { ProcessMemory.residentBytes() }
        report.add(Measure(
            scenario: Self.name, metric: "rss-tracked-workspaces", cubicle: Double(resident) / Double(1 << 20), reference: nil,
            unit: "MiB", n: tracked))
        for failure in (mine + references).flatMap(\.failures).prefix(3) {
            FileHandle.standardError.write(Data("provision failure: \(failure)\n".utf8))
        }
    }

    /// One Cubicle run: `count` fresh users (not timed), then each provisions one workspace.
    private func provisions(_ server: BenchServer, run: Int, follow mode: APIClient.Follow) async throws -> RunFigures {
        let api = APIClient(baseURL: server.url, connections: concurrency + 4)
        defer { api.close() }
        let admin = server.adminToken
        let users = await bounded(count: count, concurrency: concurrency) { index -> Result<String, any Error> in
            await Result(asyncCatching: { try await api.makeUser("bench-\(run)-\(index)", adminToken: admin) })
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
        return RunFigures(samples: samples, wall: clock.now - started)
    }
}

extension Result where Failure == any Error {
    /// Captures an async throwing body.
    fileprivate init(asyncCatching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
