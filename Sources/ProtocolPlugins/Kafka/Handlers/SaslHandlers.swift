import KafkaWire

// On a listener with `sasl` set, `SaslGate` answers SaslHandshake and SaslAuthenticate
// before the router sees them. These routes answer them on a listener without
// authentication: ILLEGAL_SASL_STATE, as Kafka answers them once a connection is authenticated
// (a PLAINTEXT listener's connections are, as User:ANONYMOUS).

struct SaslHandshakeHandler: KafkaApiHandler {
    func handle(_ request: SaslHandshakeRequest, context: RequestContext) async -> SaslHandshakeResponse? {
        var response = SaslHandshakeResponse()
        response.errorCode = KafkaErrorCode.illegalSaslState.rawValue
        return response
    }
}

struct SaslAuthenticateHandler: KafkaApiHandler {
    func handle(_ request: SaslAuthenticateRequest, context: RequestContext) async -> SaslAuthenticateResponse? {
        var response = SaslAuthenticateResponse()
        response.errorCode = KafkaErrorCode.illegalSaslState.rawValue
        response.errorMessage = "this listener does not authenticate (its config has no sasl section)"
        return response
    }
}
