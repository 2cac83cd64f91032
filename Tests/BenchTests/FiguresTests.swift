import Foundation
import Testing
@testable import cubicle_bench

@Suite struct FiguresTests {
    @Test func provisionRunFiguresIgnoreFailuresInPercentilesAndThroughput() {
        let samples = [100, 200, 300].map { Sample(latency: .milliseconds($0), failure: nil) }
            + [Sample(latency: .milliseconds(9_000), failure: "boom")]
        let figures = ProvisionBenchmark.RunFigures(samples: samples, wall: .seconds(2))
        #expect(figures.p50Ms == 200)
        #expect(figures.p99Ms == 300)
        #expect(figures.succeeded == 3)
        #expect(figures.perSecond == 1.5)
        #expect(figures.wallSeconds == 2)
        #expect(figures.failures == ["boom"])
    }

    @Test func filesRunSeparatesServerPeakFromIdlePeak() {
        func row(_ peak: Int) -> FilesBenchmark.Row { FilesBenchmark.Row(seconds: 2, bytes: 4_000_000, peakRSS: peak) }
        let run = FilesBenchmark.Run(httpUpload: row(10), sftpPut: row(7), httpDownload: row(30), sftpGet: row(8), parts: row(20))
        #expect(run.serverPeak == 30)
        #expect(run.idlePeak == 8)
        #expect(run.httpUpload.megabytesPerSecond == 2)
    }

    @Test func machineInfoReadsModelAndMemoryFromProc() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Example CPU @ 2.0GHz\nflags\t: fpu\n"
        let meminfo = "MemTotal:       2048 kB\nMemFree:         1024 kB\n"
        let info = MachineInfo(cpuinfo: cpuinfo, meminfo: meminfo, processors: 2)
        #expect(info.model == "Example CPU @ 2.0GHz")
        #expect(info.memoryBytes == 2048 * 1024)
        let header = info.headerLines(scenarios: ["provision", "files"]).joined(separator: "\n")
        #expect(header.contains("provision, files"))
        #expect(header.contains("2 × Example CPU @ 2.0GHz"))
        #expect(header.contains(MachineInfo.build))
    }

    @Test func machineInfoSaysUnknownForUnreadableProc() {
        let info = MachineInfo(cpuinfo: "", meminfo: "garbage", processors: 1)
        #expect(info.model == "unknown")
        #expect(info.memoryBytes == 0)
    }

    @Test func processMemoryParsesKilobyteFields() {
        let status = "Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n"
        #expect(ProcessMemory.kilobytes("VmRSS:", in: status) == 1024 * 1024)
        #expect(ProcessMemory.kilobytes("VmHWM:", in: status) == 2048 * 1024)
        #expect(ProcessMemory.kilobytes("VmSwap:", in: status) == 0)
    }

    @Test func processMemoryReadsThisProcess() {
        #expect(ProcessMemory.residentBytes() > 0)
        #expect(ProcessMemory.peakBytes() >= ProcessMemory.residentBytes() / 2)
    }
}
