import Blueprints
import CubicleModel
import Foundation
import KubeClient
import Store

extension Provisioner {
    /// Provisions a new workspace or starts a stopped one; returns at once with the job.
    /// Errors: `not_found` unknown blueprint, `forbidden` blueprint not allowed, `invalid_blueprint`
    /// a template or a blueprint that fails validation, `already_exists` running or being provisioned.
    public func provision(_ request: ProvisionRequest) async throws -> JobTicket {
        let owner = request.owner
        let catalog = catalog()
        let blueprintName = try request.blueprint ?? defaultBlueprint(for: owner, in: catalog)
        let blueprint = try catalog.provisionable(blueprintName)
        guard owner.mayUse(blueprintName) else {
            throw ProvisionerError(.forbidden, "user \(owner.username) may not use blueprint \"\(blueprintName)\"")
        }
        if let instance = request.instance, instance.isEmpty || instance.utf8.count > 63 {
            throw ProvisionerError(.invalidRequest, "instance must be 1 to 63 characters")
        }
        let name = CanonicalName(username: owner.username, blueprint: blueprintName, instance: request.instance).name
        guard DNSLabel.isValid(name) else {
            throw ProvisionerError(.invalidRequest, "the workspace name \(name) is not a valid DNS label")
        }
        // Evaluate expressions now so a blueprint that cannot be instantiated answers 422 at once.
        _ = try blueprint.instantiate(context: context(for: owner, workspace: name))

        try await awaitSync()
        let snapshot = observer.snapshot(of: name)
        let action: JobAction = snapshot.anchor == nil ? .provision : .start
        let job = Job(
            id: UUID().uuidString.lowercased(), workspaceName: name, username: owner.username, action: action,
            createdAt: time.now, blueprint: blueprintName)
        if let pod = snapshot.pod, pod.metadata.deletionTimestamp == nil {
            throw ProvisionerError(.alreadyExists, "workspace \(name) is already running")
        }
        try await admit(job)
        return JobTicket(workspace: name, jobID: job.id)
    }

    /// Starts a stopped workspace by its name, from the blueprint it was made from (its instance,
    /// if any, is already part of the name). Errors as `provision`; `not_found` when there is no
    /// workspace of that name.
    public func start(_ name: String, owner: WorkspaceOwner) async throws -> JobTicket {
        try await awaitSync()
        let snapshot = observer.snapshot(of: name)
        guard let anchor = snapshot.anchor, anchor.metadata.labels?[Labels.user] == owner.username,
              let blueprintName = anchor.metadata.labels?[Labels.blueprint]
        else { throw ProvisionerError.workspaceNotFound(name) }
        let blueprint = try catalog().provisionable(blueprintName)
        guard owner.mayUse(blueprintName) else {
            throw ProvisionerError(.forbidden, "user \(owner.username) may not use blueprint \"\(blueprintName)\"")
        }
        _ = try blueprint.instantiate(context: context(for: owner, workspace: name))
        if let pod = snapshot.pod, pod.metadata.deletionTimestamp == nil {
            throw ProvisionerError(.alreadyExists, "workspace \(name) is already running")
        }
        let job = Job(
            id: UUID().uuidString.lowercased(), workspaceName: name, username: owner.username, action: .start,
            createdAt: time.now, blueprint: blueprintName)
        try await admit(job)
        return JobTicket(workspace: name, jobID: job.id)
    }

    /// Soft-stops a workspace: the pod goes, volumes and configuration stay. Idempotent.
    public func stop(_ name: String) async throws -> JobTicket {
        try await act(.stop, on: name)
    }

    /// Deletes a workspace and everything labelled with it except retained and shared volumes.
    /// Idempotent.
    public func delete(_ name: String) async throws -> JobTicket {
        try await act(.delete, on: name)
    }

    private func act(_ action: JobAction, on name: String) async throws -> JobTicket {
        try await awaitSync()
        let snapshot = observer.snapshot(of: name)
        guard let owner = snapshot.anchor?.metadata.labels?[Labels.user] ?? snapshot.pod?.metadata.labels?[Labels.user]
        else { throw ProvisionerError.workspaceNotFound(name) }
        if let running = activeJob(for: name) {
            if running.action == action { return JobTicket(workspace: name, jobID: running.id) }
            // A stop or delete supersedes a start; a delete supersedes a stop.
            if action == .stop && running.action == .delete {
                throw ProvisionerError(.conflict, "workspace \(name) is being deleted")
            }
            if let task = cancelActiveJob(for: name) { await task.value }
        }
        let job = Job(id: UUID().uuidString.lowercased(), workspaceName: name, username: owner, action: action, createdAt: time.now)
        try await admit(job)
        return JobTicket(workspace: name, jobID: job.id)
    }

    /// Reserves the workspace for the job (unless another job holds it), stores the job, then
    /// launches it — so the job exists in the store before anyone hears of its id.
    private func admit(_ job: Job) async throws {
        try reserve(job)
        do {
            try await store.jobs.create(job)
        } catch {
            release(job)
            throw error
        }
        launch(job)
    }

    private func defaultBlueprint(for owner: WorkspaceOwner, in catalog: BlueprintCatalog) throws -> String {
        if let name = catalog.concrete.map(\.name).first(where: owner.mayUse) { return name }
        throw ProvisionerError(.forbidden, "user \(owner.username) may not use any blueprint")
    }

    func context(for owner: WorkspaceOwner, workspace: String) -> BlueprintContext {
        BlueprintContext(
            user: BlueprintContext.User(
                username: owner.username, uid: Int64(owner.uid), gid: Int64(owner.gid), email: owner.email,
                fullname: owner.fullname, organization: owner.organization, roles: owner.roles),
            workspaceName: workspace, environment: .process)
    }
}
