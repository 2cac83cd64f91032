import CubicleModel
import NIOHTTP1

/// The HTTP face of `ClusterFaults` under `/_localcluster/faults`, served only when the cluster
/// is configured with fault hooks (tests that drive a subprocess cluster need it):
///
/// - `GET /_localcluster/faults`: the active rules; `DELETE` clears them all
/// - `POST .../fail-next` `{"count":2,"status":500,"verb":"list","resource":"pods","retryAfterSeconds":1}`
/// - `POST .../fail-random` `{"probability":0.2,"status":503}` (probability 0 stops)
/// - `POST .../cut-watches` `{}` now, or `{"everySeconds":5}` periodically (`0` stops)
/// - `POST .../expire-resource-versions`
/// - `POST .../pod-faults` `{"fault":"CrashLoopBackOff","name":"web","namespace":"default","labelSelector":"app=x"}` → `{"id":...}`;
///   `DELETE .../pod-faults/<id>`
struct FaultEndpoints {
    let faults: ClusterFaults

    func handle(_ path: [String], method: HTTPMethod, body: [UInt8]) throws(LocalClusterError) -> APIResponse {
        switch (method, path.first, path.count) {
        case (.GET, nil, 0):
            return .json(.ok, faults.summary)
        case (.DELETE, nil, 0):
            faults.clear()
            return .json(.ok, faults.summary)
        case (.POST, "fail-next", 1):
            let document = try object(body)
            let count = Int(document["count"]?.intValue ?? 1)
            faults.failNext(
                count, status: try status(document), verb: document["verb"]?.stringValue,
                resource: document["resource"]?.stringValue, retryAfterSeconds: document["retryAfterSeconds"]?.intValue.map { Int($0) }
            )
            return .json(.ok, faults.summary)
        case (.POST, "fail-random", 1):
            let document = try object(body)
            let probability = document["probability"].flatMap { $0.intValue.map(Double.init) ?? doubleValue($0) } ?? 0
            guard (0...1).contains(probability) else { throw .badRequest("probability must be between 0 and 1") }
            faults.failRandomly(
                probability: probability, status: try status(document),
                retryAfterSeconds: document["retryAfterSeconds"]?.intValue.map { Int($0) }
            )
            return .json(.ok, faults.summary)
        case (.POST, "cut-watches", 1):
            let document = try object(body)
            if let every = document["everySeconds"], !every.isNull {
                guard let seconds = every.intValue.map(Double.init) ?? doubleValue(every), seconds >= 0 else {
                    throw .badRequest("everySeconds must be a non-negative number")
                }
                faults.cutWatches(every: seconds > 0 ? seconds : nil)
            } else {
                faults.cutWatches()
            }
            return .json(.ok, faults.summary)
        case (.POST, "expire-resource-versions", 1):
            faults.expireResourceVersions()
            return .json(.ok, faults.summary)
        case (.POST, "pod-faults", 1):
            let document = try object(body)
            guard let name = document["fault"]?.stringValue, let fault = PodFaultRule.Fault(name: name) else {
                throw .badRequest("fault must be one of \(PodFaultRule.Fault.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let selector = document["labelSelector"]?.stringValue { _ = try LabelSelector.parse(selector) }
            let rule = PodFaultRule(
                fault: fault, namespace: document["namespace"]?.stringValue, podName: document["name"]?.stringValue,
                labelSelector: document["labelSelector"]?.stringValue, container: document["container"]?.stringValue
            )
            faults.addPodFault(rule)
            return .json(.created, rule.json)
        case (.DELETE, "pod-faults", 2):
            guard faults.removePodFault(id: path[1]) else {
                throw .notFound(plural: "podfaults", group: "", name: path[1])
            }
            return .json(.ok, faults.summary)
        case (_, "fail-next", 1), (_, "fail-random", 1), (_, "cut-watches", 1), (_, "expire-resource-versions", 1),
            (_, "pod-faults", _), (_, nil, 0):
            throw .methodNotAllowed
        default:
            throw .unknownPath
        }
    }

    private func object(_ body: [UInt8]) throws(LocalClusterError) -> JSONValue {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .object([:]) }
        let document = try BodyDecoder.decode(body, allowYAML: false)
        guard document.objectValue != nil else { throw .badRequest("the body must be a JSON object") }
        return document
    }

    private func status(_ document: JSONValue) throws(LocalClusterError) -> Int {
        let status = Int(document["status"]?.intValue ?? 500)
        guard [429, 500, 502, 503, 504].contains(status) else {
            throw .badRequest("status must be one of 429, 500, 502, 503, 504")
        }
        return status
    }

    private func doubleValue(_ value: JSONValue) -> Double? {
        if case .double(let number) = value { return number }
        return nil
    }
}
