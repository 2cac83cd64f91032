#if canImport(Glibc)
import Glibc
#endif
import CubicleModel
import Foundation
import Testing
@testable import LocalCluster

/// The kubelet's pure parts: the pod lifecycle machine, the address allocator, `$(VAR)` expansion.
@Suite("Process kubelet: state machine and helpers")
struct KubeletUnitTests {
    private static let start = Date(timeIntervalSince1970: 1_800_000_000)

    private func lifecycle(policy: String) -> PodLifecycle {
        let pod = PodSpecView(pod: [
            "metadata": ["name": "p", "namespace": "ns", "uid": "u1"],
            "spec": ["restartPolicy": .string(policy), "containers": [["name": "main", "image": "img"]]],
        ])
        return PodLifecycle(pod: pod, restartBackoff: Backoff(initial: 10, maximum: 300, jitter: 0), pullBackoff: Backoff(initial: 10, maximum: 300, jitter: 0))
    }

    @Test func crashesRestartWithBackOffDoublingToFiveMinutes() {
        var machine = lifecycle(policy: "Always")
        var delays: [Double] = []
        for round in 0..<8 {
            let generation = machine.beginStart("main")
            _ = machine.started("main", generation: generation, at: Self.start, id: "c\(round)")
            #expect(machine.phase == (round == 0 ? "Running" : "Running"))
            let actions = machine.exited("main", generation: generation, exit: .exited(1), at: Self.start.addingTimeInterval(1))
            for case .arm(.restart, _, _, let seconds) in actions { delays.append(seconds) }
            #expect(actions.contains(.event(type: "Warning", reason: "BackOff", message: "Back-off restarting failed container main in pod p_ns(u1)", container: "main")))
            #expect(machine.container("main")?.state == .waiting(reason: "CrashLoopBackOff", message: "back-off \(PodLifecycle.seconds(delays.last ?? 0)) restarting failed container=main pod=p_ns(u1)"))
            #expect(machine.timerFired(.restart, container: "main", generation: generation) == [.start(container: "main")])
        }
        #expect(delays == [10, 20, 40, 80, 160, 300, 300, 300])
        #expect(machine.container("main")?.restartCount == 8)
        #expect(machine.phase == "Running")
    }

    @Test func restartPoliciesDecideTheFinalPhase() {
        for (policy, exit, phase) in [("Never", ContainerExit.exited(0), "Succeeded"), ("Never", .exited(3), "Failed"),
                                      ("OnFailure", .exited(0), "Succeeded"), ("OnFailure", .oomKilled, "Running")] {
            var machine = lifecycle(policy: policy)
            #expect(machine.phase == "Pending")
            let generation = machine.beginStart("main")
            _ = machine.started("main", generation: generation, at: Self.start, id: "c")
            let actions = machine.exited("main", generation: generation, exit: exit, at: Self.start)
            #expect(machine.phase == phase, "\(policy) \(exit)")
            #expect(actions.contains(.stopSandbox) == (phase != "Running"))
        }
    }

    @Test func staleExitsAndTimersAreIgnored() {
        var machine = lifecycle(policy: "Always")
        let old = machine.beginStart("main")
        _ = machine.started("main", generation: old, at: Self.start, id: "c")
        let current = machine.beginStart("main")
        #expect(machine.exited("main", generation: old, exit: .exited(1), at: Self.start).isEmpty)
        #expect(machine.timerFired(.restart, container: "main", generation: old).isEmpty)
        _ = machine.started("main", generation: current, at: Self.start, id: "c2")
        machine.terminate()
        #expect(machine.exited("main", generation: current, exit: .exited(1), at: Self.start).isEmpty)
    }

    @Test func pullFailuresGoFromErrImagePullToImagePullBackOff() {
        var machine = lifecycle(policy: "Always")
        let generation = machine.beginStart("main")
        let failed = machine.pullFailed("main", generation: generation, message: "not found")
        #expect(machine.container("main")?.state == .waiting(reason: "ErrImagePull", message: "not found"))
        #expect(failed.contains(.event(type: "Warning", reason: "Failed", message: "Failed to pull image \"img\": not found", container: "main")))
        let backOff = machine.timerFired(.pullBackOff, container: "main", generation: generation)
        #expect(machine.container("main")?.state == .waiting(reason: "ImagePullBackOff", message: "Back-off pulling image \"img\""))
        #expect(backOff.contains(.arm(.restart, container: "main", generation: generation, seconds: 10)))
        #expect(machine.phase == "Pending")
        #expect(machine.container("main")?.restartCount == 0)
    }

    /// A private lock directory: these allocators must not meet a real server's.
    private static func lockDirectory() -> String {
        NSTemporaryDirectory() + "address-locks-" + UUID().uuidString.lowercased()
    }

    @Test func addressesAreDistinctLowestFirstAndReusable() {
        let allocator = PodAddressAllocator(blocks: 3...4, lockDirectory: Self.lockDirectory(), bound: { [] })
        #expect(allocator.reserve("127.77.3.2", for: "old"))
        #expect(!allocator.reserve("127.77.3.2", for: "other"))
        #expect(!allocator.reserve("127.77.9.1", for: "outside"))
        #expect(allocator.allocate(for: "a", preferred: nil) == "127.77.3.1")
        #expect(allocator.allocate(for: "b", preferred: "127.77.3.2") == "127.77.3.3")
        #expect(allocator.allocate(for: "old", preferred: nil) == "127.77.3.2")
        #expect(allocator.allocate(for: "a", preferred: nil) == "127.77.3.1")
        allocator.release(uid: "a")
        #expect(allocator.allocate(for: "c", preferred: nil) == "127.77.3.1")
        #expect(allocator.owner(of: "127.77.3.3") == "b")
    }

    /// Two kubelets on one machine (two `cubicle serve`, or a test run beside `make run`) share
    /// the lock directory and never hand out the same address; a released or dropped allocator's
    /// addresses become free for the other.
    @Test func kubeletsSharingTheMachineNeverShareAnAddress() {
        let directory = Self.lockDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = PodAddressAllocator(blocks: 0...0, lockDirectory: directory, bound: { [] })
        var second: PodAddressAllocator? = PodAddressAllocator(blocks: 0...0, lockDirectory: directory, bound: { [] })
        #expect(first.allocate(for: "a", preferred: nil) == "127.77.0.1")
        #expect(second?.allocate(for: "b", preferred: nil) == "127.77.0.2")
        #expect(second?.allocate(for: "c", preferred: "127.77.0.1") == "127.77.0.3", "another kubelet's address is never preferred")
        #expect(second?.reserve("127.77.0.1", for: "d") == false, "nor reserved on restart recovery")
        first.release(uid: "a")
        #expect(second?.allocate(for: "e", preferred: nil) == "127.77.0.1")
        second = nil
        #expect(first.allocate(for: "f", preferred: nil) == "127.77.0.1")
        #expect(first.allocate(for: "g", preferred: nil) == "127.77.0.2")
        first.releaseAll()
        let third = PodAddressAllocator(blocks: 0...0, lockDirectory: directory, bound: { [] })
        #expect(third.allocate(for: "h", preferred: nil) == "127.77.0.1")
    }

    /// An address something else is bound to (a pod of a server that died, another program) is
    /// skipped, and the probe reads real sockets from /proc.
    @Test func anAddressBoundByAnotherProgramIsSkipped() throws {
        let allocator = PodAddressAllocator(blocks: 5...5, lockDirectory: Self.lockDirectory(), bound: { ["127.77.5.1", "127.77.5.3"] })
        #expect(allocator.allocate(for: "a", preferred: nil) == "127.77.5.2")
        #expect(allocator.allocate(for: "b", preferred: nil) == "127.77.5.4")

        let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(socket >= 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.77.254.9")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0, "bind: \(errno)")
        #expect(BoundAddresses.current().contains("127.77.254.9"))
    }

    @Test func procNetTablesParseToAddresses() {
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 01024D7F:08AE 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
               1: 01034D7F:08AE 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2 1
               2: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1
            """
        #expect(BoundAddresses.parse(table, states: ["0A"]) == ["127.77.2.1", "127.0.0.1"])
        #expect(BoundAddresses.parse(table, states: nil).contains("127.77.3.1"))
    }

    @Test func addressBlocksParse() throws {
        #expect(try KubeletConfiguration.parseAddressBlocks("7") == 7...7)
        #expect(try KubeletConfiguration.parseAddressBlocks("0-249") == 0...249)
        #expect(throws: LocalClusterError.self) { try KubeletConfiguration.parseAddressBlocks("9-3") }
        #expect(throws: LocalClusterError.self) { try KubeletConfiguration.parseAddressBlocks("300") }
    }

    @Test func variableReferencesExpandLikeKubernetes() {
        let pod = PodSpecView(pod: ["metadata": ["name": "p", "namespace": "ns", "uid": "u"], "spec": [:]])
        let container = PodSpecView.Container(
            name: "main", image: "i", command: [], args: [], workingDir: nil,
            json: ["env": [["name": "A", "value": "x"], ["name": "B", "value": "$(A)-$(MISSING)-$$(A)"]]])
        struct NoAPI: KubeletAPI {
            var nodeName: String { "local" }
            func pods(onNode node: String?) -> (pods: [JSONValue], resourceVersion: String) { ([], "0") }
            func watchPods(onNode node: String?) -> PodWatch { PodWatch(items: AsyncStream { $0.finish() }) }
            func pod(namespace: String, name: String) -> JSONValue? { nil }
            func bindPod(namespace: String, name: String, node: String) throws -> JSONValue { .null }
            func updatePodStatus(namespace: String, name: String, uid: String?, status: JSONValue) throws -> JSONValue { .null }
            func finishPodDeletion(namespace: String, name: String, uid: String?) throws {}
            func recordEvent(pod: JSONValue, type: String, reason: String, message: String, fieldPath: String?) throws -> JSONValue { .null }
            func configMap(namespace: String, name: String) -> JSONValue? { nil }
            func secret(namespace: String, name: String) -> JSONValue? { nil }
            func persistentVolumeClaim(namespace: String, name: String) -> JSONValue? { nil }
            func updatePersistentVolumeClaimStatus(namespace: String, name: String, status: JSONValue) throws -> JSONValue { .null }
            func podFault(for pod: JSONValue) -> PodFaultRule? { nil }
        }
        let environment = try? ContainerEnvironment.resolve(container, pod: pod, podIP: "127.77.0.1", api: NoAPI())
        #expect(environment?.dictionary["B"] == "x-$(MISSING)-$(A)")
        #expect(environment?.expand("echo $(A)") == "echo x")
        #expect(VolumePlan.isSafeRelativePath("a/b.txt"))
        #expect(!VolumePlan.isSafeRelativePath("../etc/passwd") && !VolumePlan.isSafeRelativePath("/abs") && !VolumePlan.isSafeRelativePath("a//b"))
    }
}
