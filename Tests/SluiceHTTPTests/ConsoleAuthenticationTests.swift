import Foundation
import Logging
import SluiceHTTP
import SluiceKernel
import SluiceSASL
import Testing

/// `authenticate: true`: open paths stay open, everything else asks for a stored user
/// (HTTP Basic or the login form's session cookie), and the ACLs decide which topics a
/// user sees and browses. Real server on 127.0.0.1, raw HTTP, the kernel's AclAuthorizer.
@Suite("http plugin: authentication and ACLs")
struct ConsoleAuthenticationTests {
    static let users = StaticScramCredentials([
        "alice": [.sha512: ScramCrypto.credential(.sha512, password: "alice-pw")],
        "bob": [.sha256: ScramCrypto.credential(.sha256, password: "bob-pw")],
    ])

    static func withSecuredServer(openPaths: [String]? = nil, _ body: (HTTPTestServer) async throws -> Void) async throws {
        let acls = AclAuthorizer(store: nil, configuration: .init(allowEveryoneIfNoAclFound: false), logger: Logger(label: "acl-test"))
        try await acls.createAcls([AclBinding(AclResourcePattern(.topic, "public"),
                                              AclEntry(principal: "User:alice", operation: .read, permission: .allow))])
        let server = try await HTTPTestServer.start(configure: { config in
            config.authenticate = true
            if let openPaths { config.openPaths = openPaths }
        }, services: { services, _ in
            services.credentials = users
            services.authorizer = acls
        })
        do {
            try await body(server)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    static func send(_ server: HTTPTestServer, _ method: String, _ path: String, headers: [String: String] = [:],
                     body: String = "") async throws -> RawHTTPConnection.Response {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n" + body
        let request = text
        return try await RawHTTPConnection.with(port: server.port) { connection in
            try await connection.send(request)
            return try await connection.response()
        }
    }

    static func basic(_ user: String, _ password: String) -> [String: String] {
        ["Authorization": "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()]
    }

    @Test func openPathsAnswerWithoutAUserAndTheRestAsksForOne() async throws {
        try await Self.withSecuredServer { server in
            let status1 = try await Self.send(server, "GET", "/healthz").status
            #expect(status1 == 200)
            let status2 = try await Self.send(server, "GET", "/metrics").status
            #expect(status2 == 200)
            let api = try await Self.send(server, "GET", "/api/topics")
            #expect(api.status == 401)
            #expect(api.headers["www-authenticate"]?.hasPrefix("Basic realm=\"sluice\"") == true)
            let console = try await Self.send(server, "GET", "/")
            #expect(console.status == 303)
            #expect(console.headers["location"] == "/login")
            let login = try await Self.send(server, "GET", "/login")
            #expect(login.status == 200)
            #expect(login.body.contains("<form method=\"post\" action=\"/login\">"))
        }
    }

    @Test func basicCredentialsOfAStoredUserAreAcceptedAndOthersRefused() async throws {
        try await Self.withSecuredServer { server in
            let status3 = try await Self.send(server, "GET", "/api/topics", headers: Self.basic("alice", "alice-pw")).status
            #expect(status3 == 200)
            let status4 = try await Self.send(server, "GET", "/api/topics", headers: Self.basic("bob", "bob-pw")).status
            #expect(status4 == 200, "SCRAM-SHA-256 user")
            let status5 = try await Self.send(server, "GET", "/api/topics", headers: Self.basic("alice", "wrong")).status
            #expect(status5 == 401)
            let status6 = try await Self.send(server, "GET", "/api/topics", headers: Self.basic("mallory", "alice-pw")).status
            #expect(status6 == 401)
        }
    }

    @Test func theLoginFormSetsASessionCookieThatWorksUntilLogout() async throws {
        try await Self.withSecuredServer { server in
            let form = ["Content-Type": "application/x-www-form-urlencoded"]
            let refused = try await Self.send(server, "POST", "/login", headers: form, body: "username=alice&password=nope")
            #expect(refused.status == 401)
            #expect(refused.headers["set-cookie"] == nil)
            #expect(refused.body.contains("Invalid username or password"))

            let login = try await Self.send(server, "POST", "/login", headers: form, body: "username=alice&password=alice-pw")
            #expect(login.status == 303)
            #expect(login.headers["location"] == "/")
            let setCookie = try #require(login.headers["set-cookie"])
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
            let cookie = try #require(setCookie.split(separator: ";").first.map(String.init))
            #expect(cookie.hasPrefix("sluice_session=") && cookie.count > "sluice_session=".count + 30)

            let status7 = try await Self.send(server, "GET", "/api/topics", headers: ["Cookie": cookie]).status
            #expect(status7 == 200)
            let status8 = try await Self.send(server, "GET", "/", headers: ["Cookie": cookie]).status
            #expect(status8 == 200)
            let status9 = try await Self.send(server, "POST", "/logout", headers: ["Cookie": cookie]).status
            #expect(status9 == 303)
            let status10 = try await Self.send(server, "GET", "/api/topics", headers: ["Cookie": cookie]).status
            #expect(status10 == 401, "the session ended")
            let status11 = try await Self.send(server, "GET", "/api/topics", headers: ["Cookie": "sluice_session=forged"]).status
            #expect(status11 == 401)
        }
    }

    @Test func aclsDecideWhichTopicsAUserSeesAndBrowses() async throws {
        try await Self.withSecuredServer { server in
            try await server.broker.createTopic("public", partitions: 1)
            try await server.broker.createTopic("secret", partitions: 1)
            try await server.produce(TopicPartition("secret", 0), count: 3)
            let alice = Self.basic("alice", "alice-pw"), bob = Self.basic("bob", "bob-pw")

            let listed = try await Self.send(server, "GET", "/api/topics", headers: alice)
            let names = try #require(try JSONSerialization.jsonObject(with: Data(listed.body.utf8)) as? [[String: Any]]).map { $0["name"] as? String }
            #expect(names == ["public"], "Read implies Describe; no ACL names secret")
            let status12 = try await Self.send(server, "GET", "/api/topics/public/partitions/0/records", headers: alice).status
            #expect(status12 == 200)
            let denied = try await Self.send(server, "GET", "/api/topics/secret/partitions/0/records", headers: alice)
            #expect(denied.status == 403)
            #expect(denied.body.contains("User:alice may not Read Topic 'secret'"))
            #expect(!denied.body.contains("value-"), "no record leaks into the refusal")
            let status13 = try await Self.send(server, "GET", "/api/topics/secret", headers: alice).status
            #expect(status13 == 403)

            let bobs = try await Self.send(server, "GET", "/api/topics", headers: bob)
            #expect(bobs.status == 200 && bobs.body == "[]")
            let status14 = try await Self.send(server, "GET", "/api/topics/public/partitions/0/records", headers: bob).status
            #expect(status14 == 403)
            let status15 = try await Self.send(server, "GET", "/api/connectors", headers: bob).status
            #expect(status15 == 403)
        }
    }

    @Test func metricsAsksForAUserWhenItIsNotAnOpenPath() async throws {
        try await Self.withSecuredServer(openPaths: ["/healthz"]) { server in
            let status16 = try await Self.send(server, "GET", "/metrics").status
            #expect(status16 == 401, "the metrics fast path is off")
            let status17 = try await Self.send(server, "GET", "/metrics", headers: Self.basic("alice", "alice-pw")).status
            #expect(status17 == 200)
            let status18 = try await Self.send(server, "GET", "/healthz").status
            #expect(status18 == 200)
        }
    }

    @Test func configRefusesAnOpenOrPlaintextLoginConsoleOffLoopback() {
        var open = HTTPConfiguration()
        open.listen = "0.0.0.0:8080"
        #expect(open.validate().map(\.keyPath) == ["authenticate"])
        open.allowUnauthenticated = true
        #expect(open.validate().isEmpty, "written out")
        var plaintext = HTTPConfiguration()
        plaintext.listen = "0.0.0.0:8080"
        plaintext.authenticate = true
        #expect(plaintext.validate().map(\.keyPath) == ["tls"])
        var local = HTTPConfiguration()
        local.listen = "127.0.0.1:8080"
        #expect(local.validate().isEmpty, "loopback stays open by default")
        local.openPaths = ["metrics"]
        #expect(local.validate().map(\.keyPath) == ["openPaths"])
    }
}
