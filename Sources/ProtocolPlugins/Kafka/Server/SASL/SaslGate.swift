import KafkaWire
import Metrics
import NIOCore
import SluiceKernel
import SluiceSASL

/// The SASL state of one connection on a listener with `sasl` set. Every request frame
/// passes through `intercept` before the router: until the connection authenticates only
/// ApiVersions, SaslHandshake and SaslAuthenticate get through, and any other request
/// closes it without reaching the kernel. After a v0 SaslHandshake the client sends raw
/// SASL tokens (a size and the bytes, no Kafka header), as old librdkafka and kafka-python do.
struct SaslGate: Sendable {
    /// What to do with one frame.
    enum Outcome: Sendable {
        /// Answer it through the router (ApiVersions, or an authenticated connection).
        case route
        /// Send this answer; the gate handled the request. `principal` is set when this
        /// answer completes an authentication.
        case respond(WireWriter, principal: Principal?)
        /// Authentication failed: wait the failed-authentication delay, send the answer
        /// when there is one (none after a v0 handshake) and close.
        case fail(WireWriter?, reason: String)
        /// Close at once (a request before authentication, a session that expired).
        case close(String)
    }

    private struct Session: Sendable {
        var principal: Principal
        /// When the authentication stops holding (KIP-368); nil = never.
        var expiry: ContinuousClock.Instant?
    }

    private enum Exchange: Sendable {
        case none
        /// After SaslHandshake; `framed` is false after v0 (raw tokens follow).
        case running(SaslExchange, framed: Bool)
    }

    let config: KafkaSaslConfiguration
    let credentials: any ScramCredentialSource
    private var session: Session?
    private var exchange = Exchange.none
    private static let outcomes = SaslMetrics()

    init(config: KafkaSaslConfiguration, credentials: any ScramCredentialSource) {
        self.config = config
        self.credentials = credentials
    }

    /// Decides what to do with `frame` (a request without its size prefix).
    mutating func intercept(_ frame: ByteBuffer, now: ContinuousClock.Instant = .now) async -> Outcome {
        if case .running(_, framed: false) = exchange {
            return await rawToken(frame)
        }
        guard let key = frame.getInteger(at: frame.readerIndex, as: Int16.self).map(ApiKey.init(rawValue:)) else {
            return .close("request of \(frame.readableBytes) bytes is too short for a header")
        }
        switch key {
        case .apiVersions: return .route
        case .saslHandshake: return handshake(frame)
        case .saslAuthenticate: return await authenticate(frame, now: now)
        default: break
        }
        guard let session else {
            return .close("\(key) before SASL authentication; the client must authenticate first (sasl.mechanism \(config.mechanisms.joined(separator: " or ")))")
        }
        if let expiry = session.expiry, now >= expiry {
            return .close("\(key) after the SASL session of \(session.principal) expired (sessionLifetimeMs \(config.sessionLifetimeMs)); the client must re-authenticate (KIP-368)")
        }
        return .route
    }

    private var isAuthenticating: Bool { if case .running = exchange { true } else { false } }

    private mutating func handshake(_ frame: ByteBuffer) -> Outcome {
        guard session != nil || frame.readableBytes <= config.maxReceiveBytes else {
            return .close("SaslHandshake of \(frame.readableBytes) bytes is over sasl.maxReceiveBytes \(config.maxReceiveBytes)")
        }
        let header: RequestHeader, request: SaslHandshakeRequest
        do throws(KafkaCodecError) {
            (header, request) = try KafkaFrame.decodeRequest(frame, as: SaslHandshakeRequest.self)
        } catch {
            return .close("malformed SaslHandshake: \(error)")
        }
        var response = SaslHandshakeResponse()
        response.mechanisms = config.mechanisms
        let answer = { (response: SaslHandshakeResponse) in
            KafkaFrame.response(response, to: SaslHandshakeRequest.self, version: header.apiVersion, correlationId: header.correlationId)
        }
        if isAuthenticating || (session != nil && header.apiVersion == 0) {
            // Re-authentication (KIP-368) needs v1: raw tokens cannot follow a live session.
            response.errorCode = KafkaErrorCode.illegalSaslState.rawValue
            return .fail(answer(response), reason: "SaslHandshake v\(header.apiVersion) while \(isAuthenticating ? "an exchange is running" : "already authenticated")")
        }
        guard config.mechanisms.contains(request.mechanism), let mechanism = SaslExchange.Mechanism(name: request.mechanism) else {
            response.errorCode = KafkaErrorCode.unsupportedSaslMechanism.rawValue
            return .fail(answer(response), reason: "SASL mechanism \"\(request.mechanism)\" is not enabled; this listener offers \(config.mechanisms.joined(separator: ", "))")
        }
        exchange = .running(SaslExchange(mechanism: mechanism), framed: header.apiVersion >= 1)
        return .respond(answer(response), principal: nil)
    }

    private mutating func authenticate(_ frame: ByteBuffer, now: ContinuousClock.Instant) async -> Outcome {
        guard session != nil || frame.readableBytes <= config.maxReceiveBytes else {
            return .close("SaslAuthenticate of \(frame.readableBytes) bytes is over sasl.maxReceiveBytes \(config.maxReceiveBytes)")
        }
        let header: RequestHeader, request: SaslAuthenticateRequest
        do throws(KafkaCodecError) {
            (header, request) = try KafkaFrame.decodeRequest(frame, as: SaslAuthenticateRequest.self)
        } catch {
            return .close("malformed SaslAuthenticate: \(error)")
        }
        let answer = { (response: SaslAuthenticateResponse) in
            KafkaFrame.response(response, to: SaslAuthenticateRequest.self, version: header.apiVersion, correlationId: header.correlationId)
        }
        var response = SaslAuthenticateResponse()
        guard case .running(var running, framed: true) = exchange else {
            response.errorCode = KafkaErrorCode.illegalSaslState.rawValue
            response.errorMessage = "SaslAuthenticate without a SaslHandshake v1 before it"
            return .fail(answer(response), reason: response.errorMessage!)
        }
        switch await step(&running, token: Array(buffer: request.authBytes), now: now) {
        case .failure(let error):
            response.errorCode = KafkaErrorCode.saslAuthenticationFailed.rawValue
            response.errorMessage = error.description
            return .fail(answer(response), reason: "SASL authentication failed: \(error)")
        case .success(.challenge(let token)):
            exchange = .running(running, framed: true)
            response.authBytes = ByteBuffer(bytes: token)
            return .respond(answer(response), principal: nil)
        case .success(.done(let principal, let token)):
            response.authBytes = ByteBuffer(bytes: token)
            response.sessionLifetimeMs = session?.expiry.map { _ in config.sessionLifetimeMs } ?? 0
            return .respond(answer(response), principal: principal)
        }
    }

    /// A token after a v0 handshake: answered as a size and bytes; a failure closes
    /// the connection without an answer (v0 has no way to carry an error).
    private mutating func rawToken(_ frame: ByteBuffer) async -> Outcome {
        guard frame.readableBytes <= config.maxReceiveBytes else {
            return .close("SASL token of \(frame.readableBytes) bytes is over sasl.maxReceiveBytes \(config.maxReceiveBytes)")
        }
        guard case .running(var running, framed: false) = exchange else { return .close("unexpected raw SASL token") }
        var writer = WireWriter()
        switch await step(&running, token: Array(buffer: frame), now: .now) {
        case .failure(let error):
            return .fail(nil, reason: "SASL authentication failed: \(error)")
        case .success(.challenge(let token)):
            exchange = .running(running, framed: false)
            writer.bytes(ByteBuffer(bytes: token), flexible: false)
            return .respond(writer, principal: nil)
        case .success(.done(let principal, let token)):
            writer.bytes(ByteBuffer(bytes: token), flexible: false)
            return .respond(writer, principal: principal)
        }
    }

    /// Runs one step of the exchange; on completion the session starts (or, on
    /// re-authentication, is renewed: the principal must not change).
    private mutating func step(_ running: inout SaslExchange, token: [UInt8],
                               now: ContinuousClock.Instant) async -> Result<SaslExchange.Step, SaslError> {
        do throws(SaslError) {
            let step = try await running.step(token, credentials: credentials)
            if case .done(let principal, _) = step {
                exchange = .none
                if let previous = session?.principal, previous != principal {
                    session = nil
                    Self.outcomes.failed.increment()
                    return .failure(.unsupported("re-authentication as \(principal) on a connection of \(previous)"))
                }
                let lifetime = config.sessionLifetimeMs
                session = Session(principal: principal, expiry: lifetime > 0 ? now + .milliseconds(lifetime) : nil)
                Self.outcomes.succeeded.increment()
            }
            return .success(step)
        } catch {
            exchange = .none
            session = nil
            Self.outcomes.failed.increment()
            return .failure(error)
        }
    }
}

/// `sluice_sasl_authentications_total{result}`: succeeded and failed authentications.
struct SaslMetrics: Sendable {
    let succeeded = Counter(label: "sluice_sasl_authentications_total", dimensions: [("result", "succeeded")])
    let failed = Counter(label: "sluice_sasl_authentications_total", dimensions: [("result", "failed")])
}
