import CubicleModel
import Foundation
import Provisioner
import Store

/// `UserProfile` of the API.
struct UserProfileBody: Encodable {
    let user: User

    enum CodingKeys: String, CodingKey {
        case username, fullname, email, organization, uid, gid, shell, sudo, roles, blueprints, source, locked, createdAt
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(user.username, forKey: .username)
        try c.encode(user.fullname, forKey: .fullname)
        try c.encode(user.email, forKey: .email)
        try c.encode(user.organization, forKey: .organization)
        try c.encode(user.uid, forKey: .uid)
        try c.encode(user.gid, forKey: .gid)
        try c.encode(user.shell, forKey: .shell)
        try c.encode(user.sudo, forKey: .sudo)
        try c.encode(user.roles, forKey: .roles)
        try c.encode(user.blueprints, forKey: .blueprints)
        try c.encode(user.source.rawValue, forKey: .source)
        try c.encode(user.locked, forKey: .locked)
        try c.encode(user.createdAt, forKey: .createdAt)
    }
}

/// A `Job` of the API, with explicit nulls for what has not happened yet.
struct JobBody: Encodable {
    let job: Job

    enum CodingKeys: String, CodingKey {
        case id, workspaceName, username, action, status, result, createdAt, updatedAt, finishedAt, expiresAt, events
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(job.id, forKey: .id)
        try c.encode(job.workspaceName, forKey: .workspaceName)
        try c.encode(job.username, forKey: .username)
        try c.encode(job.action, forKey: .action)
        try c.encode(job.status, forKey: .status)
        try c.encode(job.result, forKey: .result)
        try c.encode(job.createdAt, forKey: .createdAt)
        try c.encode(job.updatedAt, forKey: .updatedAt)
        try c.encode(job.finishedAt, forKey: .finishedAt)
        try c.encode(job.expiresAt, forKey: .expiresAt)
        try c.encode(job.events, forKey: .events)
    }
}

/// A personal access token as listed (never the secret).
struct TokenBody: Encodable {
    let token: AccessToken

    enum CodingKeys: String, CodingKey { case id, name, scopes, preview, createdAt, expiresAt, lastUsedAt }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(token.id, forKey: .id)
        try c.encode(token.name, forKey: .name)
        try c.encode(token.scopes, forKey: .scopes)
        try c.encode(token.preview, forKey: .preview)
        try c.encode(token.createdAt, forKey: .createdAt)
        try c.encodeIfPresent(token.expiresAt, forKey: .expiresAt)
        try c.encodeIfPresent(token.lastUsedAt, forKey: .lastUsedAt)
    }
}

/// `POST /workspaces`.
struct ProvisionBody: Decodable {
    var username: String?
    var blueprint: String?
    var instance: String?
}

/// `202` answer to a provision, stop or delete: the workspace and the job acting on it.
struct JobTicketBody: Encodable {
    var workspace: String
    var jobId: String
    var monitorUrl: String

    init(_ ticket: JobTicket) {
        workspace = ticket.workspace
        jobId = ticket.jobID
        monitorUrl = "/api/v1/jobs/\(ticket.jobID)"
    }
}

/// `POST /users`.
struct NewUserBody: Decodable {
    var username: String
    var fullname: String?
    var email: String?
    var organization: String?
    var roles: [String]?
    var blueprints: [String]?
    var uid: Int?
    var gid: Int?
    var shell: String?
    var sudo: Bool?
}

/// `POST /users/:u/tokens`.
struct NewTokenBody: Decodable {
    var name: String
    var scopes: [String]?
    var expiresAt: Date?
}

/// `201` answer to a new token: the only time the secret is shown.
struct IssuedTokenBody: Encodable {
    var id: String
    var token: String
}
