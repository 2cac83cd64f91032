import CubicleModel
import Foundation

extension Registry {
    /// A parsed patch request.
    struct Patch: Sendable {
        var type: PatchType
        var document: JSONValue
        /// `force=true` (apply only).
        var force = false
    }

    /// Patches object `name`; server-side apply creates it when absent (the Bool says so).
    func patch(
        _ resource: ResourceType, namespace: String, name: String, patch: Patch, statusOnly: Bool, context: WriteContext
    ) throws(LocalClusterError) -> (object: JSONValue, created: Bool) {
        let key = Self.key(resource, namespace: namespace, name: name)
        let configuration = try patch.type == .apply
            ? normalize(patch.document, resource, namespace: namespace, name: name) : patch.document
        return try store.write { state throws(LocalClusterError) in
            guard let current = state.object(resource, key) else {
                guard patch.type == .apply, !statusOnly else { throw .notFound(resource, name) }
                return (try applyCreate(configuration, resource, namespace: namespace, context: context, in: &state), true)
            }
            if patch.type == .apply {
                let version = configuration.resourceVersion
                if !version.isEmpty && version != current.resourceVersion { throw .conflict(resource, name) }
                let outcome: ServerSideApply.Outcome
                do throws(LocalClusterConflicts) {
                    outcome = try ServerSideApply.apply(
                        configuration, to: current, entries: ManagedFields.entries(of: current), manager: context.manager,
                        subresource: statusOnly ? "status" : nil, force: patch.force, apiVersion: resource.apiVersion,
                        time: timestamp
                    )
                } catch {
                    throw error.error(resource: resource, name: name)
                }
                let proposed = Self.scoped(outcome.object, current: current, resource: resource, statusOnly: statusOnly)
                let object = try commitUpdate(
                    proposed, current: current, resource, key: key, statusOnly: statusOnly, entries: outcome.entries,
                    context: context, in: &state
                )
                return (object, false)
            }
            let patched = try Self.applyPatch(patch, to: current.withoutManagedFields)
            let version = patched.resourceVersion
            if !version.isEmpty && version != current.resourceVersion { throw .conflict(resource, name) }
            var proposed = Self.scoped(patched, current: current, resource: resource, statusOnly: statusOnly)
            proposed.setMeta("managedFields", nil)
            let object = try commitUpdate(
                proposed, current: current, resource, key: key, statusOnly: statusOnly, entries: nil, context: context,
                in: &state
            )
            return (object, false)
        }
    }

    /// Server-side apply of an object that does not exist: it is created with the applier
    /// owning every field it applied.
    private func applyCreate(
        _ configuration: JSONValue, _ resource: ResourceType, namespace: String, context: WriteContext,
        in state: inout StoreState
    ) throws(LocalClusterError) -> JSONValue {
        let outcome: ServerSideApply.Outcome
        do throws(LocalClusterConflicts) {
            outcome = try ServerSideApply.apply(
                configuration, to: nil, entries: [], manager: context.manager, subresource: nil, force: false,
                apiVersion: resource.apiVersion, time: timestamp
            )
        } catch {
            throw error.error(resource: resource, name: configuration.name)
        }
        var object = outcome.object
        object["kind"] = .string(resource.kind)
        object["apiVersion"] = .string(resource.apiVersion)
        object.setMeta("name", .string(configuration.name))
        if resource.isNamespaced { object.setMeta("namespace", .string(namespace)) }
        if resource.hasStatus == false, let status = configuration["status"] { object["status"] = status }
        return try insert(object, resource, namespace: namespace, entries: outcome.entries, context: context, in: &state)
    }

    /// Applies a JSON, merge or strategic patch; 400 for malformed patches, 422 for ones that do not apply.
    static func applyPatch(_ patch: Patch, to object: JSONValue) throws(LocalClusterError) -> JSONValue {
        do throws(PatchFailure) {
            switch patch.type {
            case .json:
                return try JSONPatch.apply(patch.document, to: object)
            case .merge:
                guard patch.document.objectValue != nil else {
                    throw PatchFailure(message: "a merge patch must be a JSON object", malformed: true)
                }
                return object.applyingMergePatch(patch.document)
            case .strategic:
                return try StrategicMergePatch.apply(patch.document, to: object)
            case .apply:
                throw PatchFailure(message: "apply patches are not applied here", malformed: true)
            }
        } catch {
            if error.malformed { throw .badRequest(error.message) }
            throw LocalClusterError(
                code: .invalidRequest, httpStatus: 422, reason: "Invalid",
                message: "the server rejected our request due to an error in our request: \(error.message)"
            )
        }
    }
}
