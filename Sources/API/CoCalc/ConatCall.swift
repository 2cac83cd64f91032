import CubicleModel

/// One call of the CoCalc API: `{"name": "<service.method>", "args": [{…}], "project_id"?, "timeout"? (ms)}`.
/// The client sends the named parameters as a one-element list holding a dict, sometimes wrapped
/// as `{"opts": {…}}`.
struct ConatCall: Sendable {
    /// `service.method`.
    var name: String
    /// The named parameters.
    var parameters: [String: JSONValue]
    /// The project (workspace) of a project call.
    var projectID: String?
    /// What the caller allows the call, in seconds.
    var timeout: Double?

    /// Reads a request body; nil with a reason when it is not a call.
    init(_ body: JSONValue) throws(ConatError) {
        guard let name = body["name"]?.stringValue, !name.isEmpty, name.utf8.count <= 200 else {
            throw ConatError("the body must be {\"name\": \"service.method\", \"args\": [...]}")
        }
        self.name = name
        var parameters: [String: JSONValue] = [:]
        if let first = body["args"]?.arrayValue?.first, let object = first.objectValue {
            parameters = object["opts"]?.objectValue ?? object
        } else if let args = body["args"], args != .null, args.arrayValue == nil {
            throw ConatError("args must be a list")
        }
        self.parameters = parameters
        projectID = body["project_id"]?.stringValue ?? parameters["project_id"]?.stringValue
        if let milliseconds = body["timeout"] {
            guard let value = Self.double(milliseconds), value > 0, value.isFinite else { throw ConatError("timeout must be a positive number of milliseconds") }
            timeout = value / 1000
        }
    }

    /// A string parameter.
    func string(_ key: String) throws(ConatError) -> String? {
        guard let value = parameters[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw ConatError("\(key) must be a string") }
        return text
    }

    /// A required string parameter.
    func required(_ key: String) throws(ConatError) -> String {
        guard let text = try string(key), !text.isEmpty else { throw ConatError("\(key) is required") }
        return text
    }

    /// A boolean parameter.
    func flag(_ key: String) throws(ConatError) -> Bool? {
        guard let value = parameters[key], value != .null else { return nil }
        guard let flag = value.boolValue else { throw ConatError("\(key) must be true or false") }
        return flag
    }

    /// A number parameter.
    func number(_ key: String) throws(ConatError) -> Double? {
        guard let value = parameters[key], value != .null else { return nil }
        guard let number = Self.double(value) else { throw ConatError("\(key) must be a number") }
        return number
    }
}

extension ConatCall {
    /// A JSON number as a Double.
    static func double(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }
}

/// A CoCalc call's failure, answered as `{"error": message}`.
struct ConatError: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}
