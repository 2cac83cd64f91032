import Store

/// The arithmetic of a resumable upload: how many parts, where each lies, what counts as
/// complete. Plain values, so every rule is testable without a workspace.
struct UploadPlan: Equatable, Sendable {
    /// The announced total size.
    let size: Int64
    /// The size of every part but the last.
    let partSize: Int64

    init(size: Int64, partSize: Int64) {
        self.size = max(0, size)
        self.partSize = max(1, partSize)
    }

    init(_ upload: Upload) { self.init(size: upload.size, partSize: upload.partSize) }

    /// Parts needed; an empty file has none.
    var partCount: Int { Int((size + partSize - 1) / partSize) }

    /// Where part `number` (0-based) starts and how long it must be; nil when there is no such part.
    func span(of number: Int) -> (offset: Int64, length: Int64)? {
        guard number >= 0, number < partCount else { return nil }
        let offset = Int64(number) * partSize
        return (offset, min(partSize, size - offset))
    }

    /// Part numbers not yet received with their full length, in order.
    func missingParts(_ received: [UploadPart]) -> [Int] {
        let complete = Set(received.filter { span(of: $0.number)?.length == $0.size }.map(\.number))
        return (0..<partCount).filter { !complete.contains($0) }
    }

    /// True when every part arrived whole.
    func isComplete(_ received: [UploadPart]) -> Bool { missingParts(received).isEmpty }
}
