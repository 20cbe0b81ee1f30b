import SluiceKernel
import SluiceSASL

/// One SASL exchange on a connection, after SaslHandshake chose its mechanism: takes the
/// client's tokens one by one and answers with the server's, until it authenticates a
/// user or fails.
struct SaslExchange: Sendable {
    enum Mechanism: Sendable, Equatable {
        case plain
        case scram(ScramMechanism)

        init?(name: String) {
            if name == "PLAIN" { self = .plain } else if let scram = ScramMechanism(rawValue: name) { self = .scram(scram) } else { return nil }
        }
    }

    /// What one token led to.
    enum Step: Sendable, Equatable {
        /// Send this token and wait for the client's next one.
        case challenge([UInt8])
        /// Authenticated; send this last token (empty for PLAIN).
        case done(Principal, [UInt8])
    }

    private enum State: Sendable {
        case start
        case scramSentFirst(ScramServer)
        case finished
    }

    let mechanism: Mechanism
    private var state = State.start

    init(mechanism: Mechanism) { self.mechanism = mechanism }

    /// Answers the client's next token; any error ends the exchange as failed.
    mutating func step(_ token: [UInt8], credentials: any ScramCredentialSource) async throws(SaslError) -> Step {
        let current = state
        state = .finished
        switch (mechanism, current) {
        case (.plain, .start):
            let message = try PlainMessage(parsing: token)
            guard await credentials.verifyPassword(user: message.username, password: message.password) else {
                throw .invalidCredentials
            }
            return .done(.user(message.username), [])
        case (.scram(let scram), .start):
            let first = try ScramClientFirst(parsing: token)
            if first.extensions["tokenauth"] == "true" {
                throw .unsupported("delegation tokens (tokenauth) are not supported")
            }
            guard let credential = await Self.credential(of: first.username, scram, in: credentials) else {
                throw .invalidCredentials
            }
            let server = try ScramServer(mechanism: scram, clientFirst: first, credential: credential)
            state = .scramSentFirst(server)
            return .challenge(Array(server.serverFirst.utf8))
        case (.scram, .scramSentFirst(let server)):
            let final = try server.serverFinal(for: token)
            return .done(.user(server.clientFirst.username), Array(final.utf8))
        default:
            throw .unexpectedMessage
        }
    }

    private static func credential(of user: String, _ mechanism: ScramMechanism,
                                   in source: any ScramCredentialSource) async -> ScramCredential? {
        // A store that cannot answer fails the authentication; it never lets anyone in.
        (try? await source.scramCredential(user: user, mechanism: mechanism)) ?? nil
    }
}
