/// The static type of an expression; every expression has exactly one, known at load time.
enum CELType: Sendable, Hashable, CustomStringConvertible {
    case string
    case int
    case bool
    case stringList

    var description: String {
        switch self {
        case .string: return "string"
        case .int: return "int"
        case .bool: return "bool"
        case .stringList: return "list(string)"
        }
    }
}

/// A value an expression produces.
enum CELValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case stringList([String])

    var type: CELType {
        switch self {
        case .string: return .string
        case .int: return .int
        case .bool: return .bool
        case .stringList: return .stringList
        }
    }

    /// The value as an error message quotes it.
    var description: String {
        switch self {
        case .string(let value): return "\"\(value)\""
        case .int(let value): return String(value)
        case .bool(let value): return String(value)
        case .stringList(let values): return "[" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
    }
}

/// The names an expression may read, resolved at load time.
enum CELVariable: String, Sendable, Hashable, CaseIterable {
    case username = "user.username"
    case uid = "user.uid"
    case gid = "user.gid"
    case email = "user.email"
    case fullname = "user.fullname"
    case organization = "user.organization"
    case roles = "user.roles"
    case workspaceName
    case metadataName = "metadata.name"
    case blueprint

    var type: CELType {
        switch self {
        case .uid, .gid: return .int
        case .roles: return .stringList
        default: return .string
        }
    }

    static let userFields: [String: CELVariable] = [
        "username": .username, "uid": .uid, "gid": .gid, "email": .email, "fullname": .fullname,
        "organization": .organization, "roles": .roles,
    ]
}
