import Foundation
import SluiceKernel
import SluiceSASL

/// Logged-in console sessions: a random token in the `sluice_session` cookie names a
/// principal until it expires. In memory only: a restart logs everyone out.
actor ConsoleSessions {
    /// How long a login lasts, in seconds. Default 8 hours.
    let lifetime: Duration
    /// Most sessions kept at once; the oldest is dropped beyond it.
    let capacity: Int
    private var sessions: [String: (principal: Principal, expiry: ContinuousClock.Instant)] = [:]

    init(lifetime: Duration = .seconds(8 * 3600), capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// Starts a session for `principal`; returns its token (32 random bytes, base64url).
    func open(for principal: Principal) -> String {
        let now = ContinuousClock.now
        sessions = sessions.filter { $0.value.expiry > now }
        if sessions.count >= capacity, let oldest = sessions.min(by: { $0.value.expiry < $1.value.expiry })?.key {
            sessions[oldest] = nil
        }
        let token = Data(ScramCrypto.randomBytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        sessions[token] = (principal, now + lifetime)
        return token
    }

    /// The principal of a live session, nil for an unknown or expired token.
    func principal(for token: String) -> Principal? {
        guard let session = sessions[token] else { return nil }
        guard session.expiry > ContinuousClock.now else {
            sessions[token] = nil
            return nil
        }
        return session.principal
    }

    /// Ends a session.
    func close(_ token: String) { sessions[token] = nil }
}
