import CubicleModel
import Hummingbird
import SSHClient

extension FileRoutes {
    /// `GET …/files?path=`: the file's bytes streamed from SFTP (`Range` honoured), or with
    /// `list=true` a directory's entries.
    func download(_ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let path = try FileQuery.path(request)
        let list = try FileQuery.flag(request, "list")
        let hidden = try FileQuery.flag(request, "hidden")
        let (_, _, client) = try workspace(context)
        let info = try await client.stat(path.value)
        if info.isDirectory {
            guard list else {
                throw APIError.invalid("\(WorkspacePath.shown(info.path)) is a directory; add list=true to list it")
            }
            let entries = try await client.list(info.path).filter { hidden || !$0.name.hasPrefix(".") }
            return try JSONBody.response(entries.map(FileEntryBody.init))
        }
        guard info.isRegularFile else {
            throw APIError.invalid("\(WorkspacePath.shown(info.path)) is not a regular file")
        }
        let etag = FileHeaders.etag(size: info.size, modified: info.modificationTime)
        let lastModified = FileHeaders.httpDate(info.modificationTime)
        var rangeHeader = request.headers[.range]
        if let ifRange = request.headers[.ifRange], ifRange != etag, ifRange != lastModified { rangeHeader = nil }
        let range = ByteRange.parse(rangeHeader, size: info.size)

        var headers = HTTPFields()
        headers[.acceptRanges] = "bytes"
        headers[.eTag] = etag
        headers[.lastModified] = lastModified
        let (offset, length): (UInt64, UInt64?)
        switch range {
        case .unsatisfiable:
            let error = APIError(.rangeNotSatisfiable, .rangeNotSatisfiable,
                                 "the range \(rangeHeader ?? "") is outside the file's \(info.size) bytes")
            headers[.contentType] = "application/json; charset=utf-8"
            headers[.contentRange] = "bytes */\(info.size)"
            return Response(status: .rangeNotSatisfiable, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: error.body)))
        case .whole: (offset, length) = (0, nil)
        case .partial(let start, let count): (offset, length) = (start, count)
        }

        let download = try await client.download(info.path, offset: offset, length: length)
        headers[.contentType] = "application/octet-stream"
        headers[.contentDisposition] = FileHeaders.contentDisposition(filename: info.name)
        var status = HTTPResponse.Status.ok
        if length != nil {
            status = .partialContent
            let last = download.length == 0 ? offset : download.offset + download.length - 1
            headers[.contentRange] = "bytes \(download.offset)-\(last)/\(download.info.size)"
        }
        let files = dependencies.metrics.files
        let body = ResponseBody(contentLength: Int(clamping: download.length)) { writer in
            do {
                for try await chunk in download {
                    files.downloadBytes.increment(by: chunk.count)
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
            } catch {
                download.cancel()
                files.transfer(.download, succeeded: false)
                throw error
            }
            try await writer.finish(nil)
            files.transfer(.download, succeeded: true)
        }
        return Response(status: status, headers: headers, body: body)
    }
}
