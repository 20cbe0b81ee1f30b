import Foundation
import Hummingbird
import SluiceKernel

/// Asks every request outside `openPaths` and the login page for a user, when the
/// plugin's `authenticate` is on: a `sluice_session` cookie from the login form, or HTTP
/// Basic credentials (for curl and scripts). Without either, the console page redirects
/// to `/login` and every other path answers 401 with a Basic challenge. A wrong password is answered
/// after `failedDelay`, as the Kafka listener delays failed SASL logins.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ConsoleRequestContext

    /// The cookie holding a session token.
    static let cookieName = "sluice_session"
    /// Where the login form is served and posted.
    static let loginPath = "/login"

    let enabled: Bool
    let openPaths: Set<String>
    let sessions: ConsoleSessions
    let passwords: PasswordCheck
    /// Pause before answering a wrong password. Default 100 ms.
    var failedDelay: Duration = .milliseconds(100)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard enabled, !openPaths.contains(path), path != Self.loginPath else { return try await next(request, context) }
        var context = context
        if let token = request.cookies[Self.cookieName]?.value, let principal = await sessions.principal(for: token) {
            context.principal = principal
            return try await next(request, context)
        }
        if let (user, password) = Self.basicCredentials(request) {
            if let principal = await passwords.principal(user: user, password: password) {
                context.principal = principal
                return try await next(request, context)
            }
            context.logger.info("http: refused a wrong password", metadata: ["user": "\(user)", "host": "\(context.host)"])
            try? await Task.sleep(for: failedDelay)
            return Self.challenge("invalid username or password")
        }
        // A browser opening the console goes to the login form; anything else (the API,
        // a scraper) gets a Basic challenge it can answer.
        guard path == "/" else { return Self.challenge("authentication required: log in at /login or send HTTP Basic credentials") }
        return Response(status: .seeOther, headers: [.location: Self.loginPath, .cacheControl: "no-store"])
    }

    /// The user and password of an `Authorization: Basic …` header.
    static func basicCredentials(_ request: Request) -> (String, String)? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
              let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    /// 401 with a JSON error and a Basic challenge.
    static func challenge(_ message: String) -> Response {
        var response = JSONBody.errorResponse(status: .unauthorized, message: message)
        response.headers[.wwwAuthenticate] = "Basic realm=\"sluice\", charset=\"UTF-8\""
        return response
    }
}
