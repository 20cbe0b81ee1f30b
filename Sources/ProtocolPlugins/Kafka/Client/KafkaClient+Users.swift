import KafkaWire
import NIOCore

/// One user's SCRAM mechanisms as DescribeUserScramCredentials reports them.
public struct DescribedScramUser: Sendable, Equatable {
    public var user: String
    /// Mechanism name (`SCRAM-SHA-512`, or `mechanism-<n>` for one this build does not know) → iterations.
    public var iterations: [String: Int32]
}

extension KafkaClient {
    /// Every user's SCRAM mechanisms (`users` empty), or the named users'. Throws the
    /// broker's refusal, RESOURCE_NOT_FOUND for a named user without credentials.
    public func describeUserScramCredentials(users: [String] = []) async throws -> [DescribedScramUser] {
        var request = DescribeUserScramCredentialsRequest()
        request.users = users.isEmpty ? nil : users.map(DescribeUserScramCredentialsRequest.UserName.init)
        let response = try await send(request)
        try Self.check(response.errorCode, response.errorMessage, "describe user SCRAM credentials")
        return try response.results.map { result in
            try Self.check(result.errorCode, result.errorMessage, "describe user '\(result.user)'")
            let iterations = result.credentialInfos.map { info in
                (info.mechanism == 1 ? "SCRAM-SHA-256" : info.mechanism == 2 ? "SCRAM-SHA-512" : "mechanism-\(info.mechanism)", info.iterations)
            }
            return DescribedScramUser(user: result.user, iterations: Dictionary(iterations, uniquingKeysWith: { _, last in last }))
        }
    }

    /// Sets `user`'s credential for the mechanism Kafka numbers `mechanism` (1 SCRAM-SHA-256,
    /// 2 SCRAM-SHA-512) from a salted password (PBKDF2 of the password; the password never
    /// travels). Throws the broker's refusal.
    public func upsertUserScramCredential(user: String, mechanism: Int8, iterations: Int32, salt: [UInt8],
                                          saltedPassword: [UInt8]) async throws {
        var request = AlterUserScramCredentialsRequest()
        request.upsertions = [.init(name: user, mechanism: mechanism, iterations: iterations, salt: salt, saltedPassword: saltedPassword)]
        try await alterUserScramCredentials(request)
    }

    /// Removes `user`'s credential for `mechanism`. Throws the broker's refusal
    /// (RESOURCE_NOT_FOUND when the user has none).
    public func deleteUserScramCredential(user: String, mechanism: Int8) async throws {
        var request = AlterUserScramCredentialsRequest()
        request.deletions = [.init(name: user, mechanism: mechanism)]
        try await alterUserScramCredentials(request)
    }

    private func alterUserScramCredentials(_ request: AlterUserScramCredentialsRequest) async throws {
        let response = try await send(request)
        for result in response.results {
            try Self.check(result.errorCode, result.errorMessage, "alter user '\(result.user)'")
        }
    }
}
