import Hummingbird
import SluiceKernel

/// The request context of every HTTP route: Hummingbird's core storage plus who is
/// asking, set by `AuthenticationMiddleware` before any route runs.
struct ConsoleRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The authenticated user, or `User:ANONYMOUS` when authentication is off (or the path is open).
    var principal = Principal.anonymous
    /// The client's IP address, for host-specific ACLs.
    let host: String

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        host = source.channel.remoteAddress?.ipAddress ?? "?"
    }

    /// Who is asking, as the authorizer takes it.
    var authorization: AuthorizationContext { AuthorizationContext(principal: principal, host: host) }
}
