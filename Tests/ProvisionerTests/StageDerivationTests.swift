import CubicleModel
import Foundation
import KubeClient
@testable import Provisioner
import Testing

/// Stage derivation and event classification, pure functions over pods and events as the
/// apiserver returns them.
@Suite struct StageDerivationTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func pod(_ json: String) throws -> Pod {
        try JSONValue.parse(Array(json.utf8)).decode(Pod.self)
    }

    static func event(reason: String, kind: String = "Pod", seconds: Double = 0, resourceVersion: String = "1", message: String = "m") throws -> Event {
        let stamp = RFC3339.string(from: now.addingTimeInterval(seconds))
        return try JSONValue.parse(Array("""
            {"metadata":{"name":"e-\(reason)-\(resourceVersion)","resourceVersion":"\(resourceVersion)"},
             "involvedObject":{"kind":"\(kind)","name":"ws"},"reason":"\(reason)","message":"\(message)",
             "type":"Normal","lastTimestamp":"\(stamp)","count":1}
            """.utf8)).decode(Event.self)
    }

    @Test func unboundPodIsScheduling() throws {
        let report = StageDeriver().derive(pod: try Self.pod(#"{"metadata":{"name":"ws"},"spec":{"containers":[]}}"#), events: [], stopRequested: false, now: Self.now)
        #expect(report.stage == .scheduling)
    }

    @Test func readyPodIsRunning() throws {
        let pod = try Self.pod(#"""
            {"metadata":{"name":"ws"},"spec":{"nodeName":"local","containers":[{"name":"workspace","image":"x"}]},
             "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],
                       "containerStatuses":[{"name":"workspace","ready":true,"restartCount":0,"image":"x","imageID":"x","state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}}}]}}
            """#)
        #expect(StageDeriver().derive(pod: pod, events: [], stopRequested: false, now: Self.now).stage == .running)
    }

    @Test func hardWaitingReasonsFailWithTheirReason() throws {
        for reason in ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError"] {
            let pod = try Self.pod("""
                {"metadata":{"name":"ws"},"spec":{"nodeName":"local","containers":[{"name":"workspace","image":"x"}]},
                 "status":{"phase":"Pending","containerStatuses":[{"name":"workspace","ready":false,"restartCount":0,"image":"x","imageID":"",
                   "state":{"waiting":{"reason":"\(reason)","message":"no"}}}]}}
                """)
            let report = StageDeriver().derive(pod: pod, events: [], stopRequested: false, now: Self.now)
            #expect(report.stage == .failed, "\(reason)")
            #expect(report.message.contains(reason))
        }
    }

    @Test func deletionReadsAsStoppingOnlyWhenCubicleAskedForIt() throws {
        let pod = try Self.pod(#"{"metadata":{"name":"ws","deletionTimestamp":"2026-01-01T00:00:00Z"},"spec":{"nodeName":"local","containers":[]}}"#)
        #expect(StageDeriver().derive(pod: pod, events: [], stopRequested: true, now: Self.now).stage == .stopping)
        #expect(StageDeriver().derive(pod: pod, events: [], stopRequested: false, now: Self.now).stage == .terminating)
    }

    @Test func backOffBecomesCriticalOnlyFromTheSecondRestart() throws {
        let backOff = try Self.event(reason: "BackOff")
        #expect(EventClassifier.severity(of: backOff, maxRestartCount: 1) == .warning)
        #expect(EventClassifier.severity(of: backOff, maxRestartCount: 2) == .critical)
        #expect(EventClassifier.severity(of: try Self.event(reason: "FailedBinding", kind: "PersistentVolumeClaim"), maxRestartCount: 0) == .critical)
        #expect(EventClassifier.severity(of: try Self.event(reason: "FailedScheduling"), maxRestartCount: 0) == .warning)
        #expect(EventClassifier.severity(of: try Self.event(reason: "Started"), maxRestartCount: 0) == .info)
    }

    @Test func eventsOfTheSameSecondKeepTheirWriteOrder() throws {
        let events = [
            try Self.event(reason: "Started", resourceVersion: "9"), try Self.event(reason: "Pulled", resourceVersion: "7"),
            try Self.event(reason: "Created", resourceVersion: "8"), try Self.event(reason: "Scheduled", seconds: -1, resourceVersion: "20"),
        ]
        #expect(events.sorted(by: StageDeriver.precedes).compactMap(\.reason) == ["Scheduled", "Pulled", "Created", "Started"])
    }

    @Test func monitorRecordsEachEventOnceAndProgressOnlyGrows() throws {
        var monitor = StartupMonitor(podName: "ws", startedAt: Self.now, progressFloor: 10)
        let unbound = try Self.pod(#"{"metadata":{"name":"ws","uid":"u1"},"spec":{"containers":[]}}"#)
        let scheduled = try Self.event(reason: "Scheduled")
        var recorded: [TrailEntry] = []
        for _ in 0..<3 {
            for action in monitor.observe(pod: unbound, events: [scheduled], now: Self.now.addingTimeInterval(1)) {
                if case .record(let entry) = action { recorded.append(entry) }
            }
        }
        #expect(recorded.filter { $0.type == .event }.count == 1)
        #expect(recorded.filter { $0.type == .status }.map(\.status) == ["Scheduling"])
        #expect(recorded.filter { $0.type == .progress }.allSatisfy { (Int($0.status) ?? 0) > 10 })
    }

    @Test func monitorFailsFastOnAKnownFatalEventAndTimesOutNamingTheStage() throws {
        let bound = try Self.pod(#"{"metadata":{"name":"ws","uid":"u1"},"spec":{"nodeName":"local","containers":[{"name":"workspace","image":"x"}]},"status":{"phase":"Pending"}}"#)
        var failing = StartupMonitor(podName: "ws", startedAt: Self.now)
        let actions = failing.observe(pod: bound, events: [try Self.event(reason: "ErrImagePull")], now: Self.now.addingTimeInterval(2))
        #expect(actions.contains { if case .finish(.failed, let message) = $0 { message.contains("ErrImagePull") } else { false } })

        var waiting = StartupMonitor(podName: "ws", startedAt: Self.now, settings: .init(timeout: 30))
        _ = waiting.observe(pod: nil, events: [], now: Self.now.addingTimeInterval(1))
        let late = waiting.observe(pod: nil, events: [], now: Self.now.addingTimeInterval(31))
        #expect(late.contains { if case .finish(.failed, let message) = $0 { message.contains("Scheduling") } else { false } })
    }
}
