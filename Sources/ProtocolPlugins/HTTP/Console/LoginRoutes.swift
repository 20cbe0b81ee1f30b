import Foundation
import Hummingbird
import NIOCore
import SluiceKernel

/// The console's login form: GET shows it, POST checks the user and sets the session
/// cookie, then sends the browser to the console; `/logout` ends the session.
struct LoginRoutes {
    let sessions: ConsoleSessions
    let passwords: PasswordCheck
    /// Whether the cookie is marked `Secure` (the listener is HTTPS).
    let secureCookie: Bool
    /// Pause before answering a wrong password. Default 100 ms.
    var failedDelay: Duration = .milliseconds(100)

    func register(on router: Router<ConsoleRequestContext>) {
        router.get(RouterPath(AuthenticationMiddleware.loginPath)) { _, _ in Self.page(status: .ok, message: nil) }
        router.post(RouterPath(AuthenticationMiddleware.loginPath)) { request, context in
            let body = try await request.body.collect(upTo: 16_384)
            let form = Self.formFields(String(buffer: body))
            let user = form["username"] ?? ""
            guard let principal = await passwords.principal(user: user, password: form["password"] ?? "") else {
                context.logger.info("http: console login refused", metadata: ["user": "\(user)", "host": "\(context.host)"])
                try? await Task.sleep(for: failedDelay)
                return Self.page(status: .unauthorized, message: "Invalid username or password.")
            }
            let token = await sessions.open(for: principal)
            context.logger.info("http: console login", metadata: ["principal": "\(principal)", "host": "\(context.host)"])
            var cookie = "\(AuthenticationMiddleware.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
            if secureCookie { cookie += "; Secure" }
            return Response(status: .seeOther, headers: [.location: "/", .setCookie: cookie, .cacheControl: "no-store"])
        }
        router.post("/logout") { request, _ in
            if let token = request.cookies[AuthenticationMiddleware.cookieName]?.value { await sessions.close(token) }
            return Response(status: .seeOther, headers: [
                .location: AuthenticationMiddleware.loginPath,
                .setCookie: "\(AuthenticationMiddleware.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict",
            ])
        }
    }

    /// `application/x-www-form-urlencoded` fields.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    static func page(status: HTTPResponse.Status, message: String?) -> Response {
        let notice = message.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
        let html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Sluice — log in</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>body{font:15px system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;background:#f6f7f9}
        form{background:#fff;padding:2em;border-radius:8px;box-shadow:0 1px 4px #0002;display:grid;gap:.8em;min-width:18em}
        input{padding:.5em;font:inherit}button{padding:.6em;font:inherit}.error{color:#b00020;margin:0}</style></head>
        <body><form method="post" action="/login"><h1>Sluice</h1>\(notice)
        <label>Username <input name="username" id="username" autocomplete="username" required autofocus></label>
        <label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
        <button type="submit" id="login">Log in</button></form></body></html>
        """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
