import Hummingbird

/// Query parameters of the file endpoints.
enum FileQuery {
    /// A boolean flag with a default for when it is absent.
    static func flag(_ request: Request, _ name: String, default absent: Bool = false) throws -> Bool {
        guard request.query[Substring(name)] != nil else { return absent }
        return try WorkspaceRoutes.flag(request, name)
    }

    /// `mode=0644`: permission bits in octal (at most `07777`); nil when absent.
    static func mode(_ request: Request) throws -> UInt32? {
        guard let raw = request.query["mode"] else { return nil }
        return try mode(raw)
    }

    /// Octal permission bits such as `0644` or `0o600`, at most `07777`.
    static func mode(_ raw: Substring) throws -> UInt32 {
        let digits = raw.hasPrefix("0o") ? raw.dropFirst(2) : raw[...]
        guard (1...5).contains(digits.count), digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }),
              let value = UInt32(digits, radix: 8), value <= 0o7777 else {
            throw APIError.invalid("mode must be octal permission bits such as 0644")
        }
        return value
    }

    /// The validated `path` parameter.
    static func path(_ request: Request) throws -> WorkspacePath {
        try WorkspacePath(request.query["path"].map(String.init))
    }
}
