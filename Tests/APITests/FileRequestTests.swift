import Foundation
import Testing

@testable import API

/// The pure parts of the file endpoints: `Range` parsing, path checks, resumable-upload arithmetic.
@Suite struct FileRequestTests {
    @Test(arguments: [
        ("bytes=0-9", ByteRange.partial(offset: 0, length: 10)),
        ("bytes=10-", .partial(offset: 10, length: 90)),
        ("bytes=-5", .partial(offset: 95, length: 5)),
        ("bytes=-500", .partial(offset: 0, length: 100)),
        ("bytes=90-1000", .partial(offset: 90, length: 10)),
        ("bytes=99-99", .partial(offset: 99, length: 1)),
        ("BYTES = 5-6", .whole),
        ("Bytes=5-6", .partial(offset: 5, length: 2)),
        ("bytes=100-", .unsatisfiable),
        ("bytes=100-200", .unsatisfiable),
        ("bytes=-0", .unsatisfiable),
        ("bytes=9-3", .whole),
        ("bytes=0-1,5-6", .whole),
        ("items=0-1", .whole),
        ("bytes=a-b", .whole),
        ("bytes=-", .whole),
        ("bytes=+1-2", .whole),
        ("bytes=99999999999999999999999-", .whole),
    ])
    func rangeHeaderIsInterpretedForA100ByteFile(header: String, expected: ByteRange) {
        #expect(ByteRange.parse(header, size: 100) == expected, "\(header)")
    }

    @Test func noHeaderOrAnOverlongHeaderServesTheWholeFile() {
        #expect(ByteRange.parse(nil, size: 10) == .whole)
        #expect(ByteRange.parse("bytes=0-1" + String(repeating: " ", count: 300), size: 10) == .whole)
    }

    @Test func anyRangeOfAnEmptyFileIsUnsatisfiable() {
        #expect(ByteRange.parse("bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=-1", size: 0) == .unsatisfiable)
    }

    @Test func pathsMustBeAbsoluteOrHomeRelativeBoundedAndFreeOfControlBytes() throws {
        for good in ["/", "/etc/passwd", "~", "~/a/b", "/a/../b", "/x y/ü"] {
            #expect(try WorkspacePath(good).value == good)
        }
        let bad: [String?] = [
            nil, "", "a/b", "./a", "~root", "~x/y", "/a\u{0}b", "/a\nb", "/a\u{7F}",
            "/" + String(repeating: "a", count: 4096), "/" + String(repeating: "b", count: 256) + "/c",
        ]
        for path in bad {
            #expect(throws: APIError.self, "\(String(describing: path?.prefix(20)))") { try WorkspacePath(path) }
        }
    }

    @Test func directoryNameAndTemporarySplitAbsolutePaths() {
        #expect(WorkspacePath.directory(of: "/home/a/f.txt") == "/home/a")
        #expect(WorkspacePath.directory(of: "/f") == "/")
        #expect(WorkspacePath.name(of: "/home/a/f.txt") == "f.txt")
        #expect(WorkspacePath.name(of: "/home/a/") == "")
        #expect(!WorkspacePath.isWritableName("..") && !WorkspacePath.isWritableName(".") && !WorkspacePath.isWritableName(""))
        #expect(WorkspacePath.temporary(in: "/", id: "ab") == "/.cubicle-upload-ab")
        #expect(WorkspacePath.temporary(in: "/home/a", id: "ab") == "/home/a/.cubicle-upload-ab")
    }

    @Test func uploadPlanSplitsIntoFullPartsAndAShorterLastOne() {
        let plan = UploadPlan(size: 25, partSize: 10)
        #expect(plan.partCount == 3)
        #expect(plan.span(of: 0).map { [$0.offset, $0.length] } == [0, 10])
        #expect(plan.span(of: 2).map { [$0.offset, $0.length] } == [20, 5])
        #expect(plan.span(of: 3) == nil)
        #expect(plan.span(of: -1) == nil)
        #expect(UploadPlan(size: 0, partSize: 10).partCount == 0)
        #expect(UploadPlan(size: 20, partSize: 10).partCount == 2)
    }

    @Test func uploadIsCompleteOnlyWhenEveryPartArrivedWithItsFullLength() {
        let plan = UploadPlan(size: 25, partSize: 10)
        #expect(plan.missingParts([]) == [0, 1, 2])
        let outOfOrder = [UploadPartFixture.part(2, 5), UploadPartFixture.part(0, 10)]
        #expect(plan.missingParts(outOfOrder) == [1])
        #expect(!plan.isComplete(outOfOrder))
        #expect(plan.missingParts(outOfOrder + [UploadPartFixture.part(1, 9)]) == [1])
        #expect(plan.isComplete(outOfOrder + [UploadPartFixture.part(1, 10)]))
        #expect(plan.missingParts(outOfOrder + [UploadPartFixture.part(1, 10), UploadPartFixture.part(7, 10)]).isEmpty)
        #expect(UploadPlan(size: 0, partSize: 10).isComplete([]))
    }

    @Test func headersCarryValidatorsDatesAndSafeFilenames() {
        #expect(FileHeaders.httpDate(Date(timeIntervalSince1970: 784_111_777)) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(FileHeaders.etag(size: 255, modified: Date(timeIntervalSince1970: 16)) == "\"ff-10\"")
        let disposition = FileHeaders.contentDisposition(filename: "a \"b\"ü.txt")
        #expect(disposition == "attachment; filename=\"a _b__.txt\"; filename*=UTF-8''a%20%22b%22%C3%BC.txt")
        #expect(FileEntryBody.octal(0o644) == "0644" && FileEntryBody.octal(0o4755) == "4755")
    }
}

import Store

private enum UploadPartFixture {
    static func part(_ number: Int, _ size: Int64) -> UploadPart { UploadPart(number: number, size: size) }
}
