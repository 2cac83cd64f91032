import Crypto
import Foundation
import SSHClient
import Testing

@Suite(.timeLimit(.minutes(3))) struct SFTPClientTests {
    @Test func sixtyFourMiBRoundTripKeepsTheContent() async throws {
        try await withSSHD { sshd in
            try await withSFTP(sshd.target()) { sftp in
                let size = 64 * 1024 * 1024
                var sent = SHA256()
                let writer = try await sftp.openForWriting("\(sshd.directory)/upload.bin", options: .init(exclusive: true))
                var offset = 0
                while offset < size {
                    // Odd-sized chunks, like HTTP bodies, exercise coalescing into large writes.
                    let count = min(size - offset, 48 * 1024 + 17)
                    let chunk = randomBytes(count)
                    sent.update(data: chunk)
                    try await writer.write(chunk)
                    offset += count
                }
                try await writer.fsync()
                try await writer.close()
                #expect(writer.bytesWritten == UInt64(size))
                let onDisk = try sha256(ofFile: "\(sshd.directory)/upload.bin")
                #expect(onDisk == sent.finalize())

                let download = try await sftp.download("\(sshd.directory)/upload.bin")
                #expect(download.length == UInt64(size))
                var received = SHA256()
                var count = 0
                for try await chunk in download {
                    received.update(data: chunk)
                    count += chunk.count
                }
                #expect(count == size)
                #expect(received.finalize() == onDisk)
            }
        }
    }

    @Test func rangedDownloadsReturnExactlyTheRange() async throws {
        try await withSSHD { sshd in
            try await withSFTP(sshd.target()) { sftp in
                let content = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 251) }
                try Data(content).write(to: URL(fileURLWithPath: "\(sshd.directory)/range.bin"))
                for (offset, length) in [(0, 10), (1234, 100_000), (299_990, 10), (299_990, 500), (300_000, 5)] {
                    let download = try await sftp.download("\(sshd.directory)/range.bin", offset: UInt64(offset), length: UInt64(length))
                    var bytes: [UInt8] = []
                    for try await chunk in download { bytes += chunk }
                    let end = min(content.count, offset + length)
                    #expect(bytes == Array(content[offset..<end]), "offset \(offset) length \(length)")
                    #expect(download.length == UInt64(end - offset))
                }
                let error = await #expect(throws: SSHError.self) {
                    _ = try await sftp.download("\(sshd.directory)/range.bin", offset: 300_001)
                }
                #expect(error?.code == .rangeNotSatisfiable)
            }
        }
    }

    @Test func partsWrittenOutOfOrderAtOffsetsAssembleTheFile() async throws {
        try await withSSHD { sshd in
            try await withSFTP(sshd.target()) { sftp in
                let part = 100_000
                let parts = (0..<5).map { index in [UInt8](repeating: UInt8(65 + index), count: index == 4 ? 1234 : part) }
                let path = "\(sshd.directory)/parts.bin"
                let first = try await sftp.openForWriting(path, options: .init(exclusive: true))
                try await first.close()
                for index in [3, 0, 4, 2, 1] {
                    let writer = try await sftp.openForWriting(path, options: .init(create: false))
                    try await writer.write(parts[index], at: UInt64(index * part))
                    try await writer.close()
                }
                let assembled = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(Array(assembled) == parts.flatMap { $0 })
            }
        }
    }

    @Test func renameReplacesAnExistingFileAtomically() async throws {
        try await withSSHD { sshd in
            try await withSFTP(sshd.target()) { sftp in
                let directory = sshd.directory
                try "old".write(toFile: "\(directory)/target.txt", atomically: false, encoding: .utf8)
                let temp = try await sftp.openForWriting("\(directory)/.target.txt.part", options: .init(exclusive: true, mode: 0o640))
                try await temp.write(Array("new content".utf8))
                try await temp.fsync()
                try await temp.close()
                try await sftp.rename("\(directory)/.target.txt.part", to: "\(directory)/target.txt")
                #expect(try String(contentsOfFile: "\(directory)/target.txt", encoding: .utf8) == "new content")
                #expect(!FileManager.default.fileExists(atPath: "\(directory)/.target.txt.part"))
                let info = try await sftp.stat("\(directory)/target.txt")
                #expect(info.permissions == 0o640)
                #expect(info.size == 11)
                let missing = await #expect(throws: SSHError.self) {
                    try await sftp.rename("\(directory)/nope", to: "\(directory)/target.txt")
                }
                #expect(missing?.code == .notFound)
            }
        }
    }

    @Test func exclusiveCreateRefusesAnExistingFile() async throws {
        try await withSSHD { sshd in
            try await withSFTP(sshd.target()) { sftp in
                try "x".write(toFile: "\(sshd.directory)/exists", atomically: false, encoding: .utf8)
                let error = await #expect(throws: SSHError.self) {
                    _ = try await sftp.openForWriting("\(sshd.directory)/exists", options: .init(exclusive: true))
                }
                #expect(error?.code == .alreadyExists)
            }
        }
    }

    @Test func directoriesCanBeCreatedListedAndRemovedRecursively() async throws {
        try await withSSHD { sshd in
            try await withSFTP(sshd.target()) { sftp in
                let root = "\(sshd.directory)/tree"
                try await sftp.makeDirectory("\(root)/a/b/c", intermediate: true)
                try await sftp.makeDirectory("\(root)/a/b/c", intermediate: true)
                let already = await #expect(throws: SSHError.self) { try await sftp.makeDirectory("\(root)/a") }
                #expect(already?.code == .alreadyExists)
                try "hidden".write(toFile: "\(root)/a/.hidden", atomically: false, encoding: .utf8)
                try "visible".write(toFile: "\(root)/a/visible.txt", atomically: false, encoding: .utf8)
                try FileManager.default.createSymbolicLink(atPath: "\(root)/a/link", withDestinationPath: "/etc")
                let entries = try await sftp.list("\(root)/a")
                #expect(entries.map(\.name) == [".hidden", "b", "link", "visible.txt"])
                #expect(entries.first { $0.name == "b" }?.isDirectory == true)
                #expect(entries.first { $0.name == "link" }?.isSymbolicLink == true)
                #expect(entries.first { $0.name == "visible.txt" }?.size == 7)
                #expect(entries.first { $0.name == ".hidden" }?.path == "\(root)/a/.hidden")
                let notEmpty = await #expect(throws: SSHError.self) { try await sftp.remove("\(root)/a") }
                #expect(notEmpty?.code == .conflict)
                try await sftp.remove(root, recursive: true)
                #expect(!FileManager.default.fileExists(atPath: root))
                #expect(FileManager.default.fileExists(atPath: "/etc/hostname") || FileManager.default.fileExists(atPath: "/etc"))
            }
        }
    }

    @Test func missingPathsAreNotFoundAndForbiddenOnesAreForbidden() async throws {
        try await withSSHD { sshd in
            // Root reads everything; log in as the unprivileged `nobody` to meet EACCES.
            try await withSFTP(sshd.target(user: "nobody")) { sftp in
                let missing = await #expect(throws: SSHError.self) { _ = try await sftp.stat("\(sshd.directory)/missing") }
                #expect(missing?.code == .notFound)
                #expect(missing?.message.contains("\(sshd.directory)/missing") == true)
                let missingDownload = await #expect(throws: SSHError.self) { _ = try await sftp.download("\(sshd.directory)/missing") }
                #expect(missingDownload?.code == .notFound)

                try "secret".write(toFile: "\(sshd.directory)/secret", atomically: false, encoding: .utf8)
                chmod("\(sshd.directory)/secret", 0o600)
                let denied = await #expect(throws: SSHError.self) { _ = try await sftp.download("\(sshd.directory)/secret") }
                #expect(denied?.code == .forbidden)
                #expect(denied?.message.contains("\(sshd.directory)/secret") == true)
                let deniedWrite = await #expect(throws: SSHError.self) {
                    _ = try await sftp.openForWriting("\(sshd.directory)/new-file")
                }
                #expect(deniedWrite?.code == .forbidden)
                let deniedRemove = await #expect(throws: SSHError.self) { try await sftp.remove("\(sshd.directory)/secret") }
                #expect(deniedRemove?.code == .forbidden)
            }
        }
    }

    @Test func tildeAndRelativePathsResolveToTheHomeDirectory() async throws {
        try await withSSHD { sshd in
            try await withSFTP(sshd.target()) { sftp in
                let home = try await sftp.homeDirectory()
                #expect(home == FileManager.default.homeDirectoryForCurrentUser.path || home == "/root")
                #expect(try await sftp.resolve("~") == home)
                #expect(try await sftp.resolve("~/notes.txt") == "\(home)/notes.txt")
                #expect(try await sftp.resolve("notes.txt") == "\(home)/notes.txt")
                #expect(try await sftp.resolve("/abs") == "/abs")
                await #expect(throws: SSHError.self) { _ = try await sftp.resolve("~other/x") }
                #expect(try await sftp.stat("~").isDirectory)
                let usage = try await sftp.statvfs("~")
                #expect(usage.totalBytes > 0)
            }
        }
    }

    @Test func aFrozenServerFailsTheCallAndTheNextCallReconnects() async throws {
        try await withSSHD { sshd in
            var configuration = SFTPConfiguration()
            configuration.operationTimeout = 3
            try await withSFTP(sshd.target(), configuration: configuration) { sftp in
                let root = try await sftp.stat("/")
                #expect(root.isDirectory)
                #expect(sshd.freezeSessions() > 0)
                let error = await #expect(throws: SSHError.self) { _ = try await sftp.stat("/") }
                #expect(error?.reason == .sessionDied)
                #expect(error?.code == .sshUnavailable)
                // The listener is not frozen: the next call gets a fresh connection.
                let again = try await sftp.stat("/")
                #expect(again == root)
            }
        }
    }

    @Test func aCancelledDownloadLeavesTheConnectionUsable() async throws {
        try await withSSHD { sshd in
            var configuration = SFTPConfiguration()
            configuration.maxSessions = 1
            try await withSFTP(sshd.target(), configuration: configuration) { sftp in
                let big = randomBytes(8 * 1024 * 1024)
                try Data(big).write(to: URL(fileURLWithPath: "\(sshd.directory)/big"))
                let small = randomBytes(200_000)
                try Data(small).write(to: URL(fileURLWithPath: "\(sshd.directory)/small"))
                let first = try await sftp.download("\(sshd.directory)/big")
                var iterator = first.makeAsyncIterator()
                let head = try await iterator.next()
                #expect(head.map { Array(big.prefix($0.count)) == $0 } == true)
                first.cancel()
                await #expect(throws: SSHError.self) { while try await iterator.next() != nil {} }
                // Same worker and connection: replies of the cancelled reads must not leak into this one.
                var bytes: [UInt8] = []
                for try await chunk in try await sftp.download("\(sshd.directory)/small") { bytes += chunk }
                #expect(bytes == small)
            }
        }
    }

    @Test func anAbortedUploadLeavesThePartialFileForTheCaller() async throws {
        try await withSSHD { sshd in
            try await withSFTP(sshd.target()) { sftp in
                let path = "\(sshd.directory)/.upload.part"
                let writer = try await sftp.openForWriting(path, options: .init(exclusive: true))
                try await writer.write(randomBytes(300_000))
                await writer.abort()
                await #expect(throws: SSHError.self) { try await writer.write([1, 2, 3]) }
                #expect(FileManager.default.fileExists(atPath: path))
                try await sftp.remove(path)
                #expect(!FileManager.default.fileExists(atPath: path))
            }
        }
    }

    @Test func slowDownloadConsumerBoundsTheBuffer() async throws {
        try await withSSHD { sshd in
            var configuration = SFTPConfiguration()
            configuration.downloadBufferBytes = 1024 * 1024
            try await withSFTP(sshd.target(), configuration: configuration) { sftp in
                let size = 16 * 1024 * 1024
                #expect(FileManager.default.createFile(atPath: "\(sshd.directory)/big", contents: nil))
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(sshd.directory)/big"))
                try handle.truncate(atOffset: UInt64(size))
                try handle.close()
                let download = try await sftp.download("\(sshd.directory)/big")
                try await waitUntil("the download buffer fills") { download.bufferedBytes >= 512 * 1024 }
                #expect(download.bufferedBytes <= configuration.downloadBufferBytes)
                // A metadata call still gets through on the same worker while the download waits.
                #expect(try await sftp.stat("\(sshd.directory)/big").size == UInt64(size))
                var received = 0
                for try await chunk in download {
                    #expect(download.bufferedBytes <= configuration.downloadBufferBytes)
                    received += chunk.count
                }
                #expect(received == size)
            }
        }
    }
}

/// Runs `body` with an SFTP client and shuts it down (closing its connections) afterwards.
func withSFTP<T>(_ target: SSHTarget, configuration: SFTPConfiguration = SFTPConfiguration(),
                 _ body: (SFTPClient) async throws -> T) async throws -> T {
    let client = SFTPClient(target: target, configuration: configuration)
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}

/// `count` random bytes from the kernel.
func randomBytes(_ count: Int) -> [UInt8] {
    guard let handle = FileHandle(forReadingAtPath: "/dev/urandom"),
          let data = try? handle.read(upToCount: count) else { return [] }
    try? handle.close()
    return Array(data)
}

/// The SHA-256 of a file, read in 1 MiB pieces.
func sha256(ofFile path: String) throws -> SHA256.Digest {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    var hash = SHA256()
    while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty { hash.update(data: data) }
    return hash.finalize()
}
