import Foundation
@testable import SluiceKernel
import Testing

/// `Principal` as Kafka writes it: `User:name`, `User:ANONYMOUS` before authentication.
@Suite struct PrincipalTests {
    @Test func writesAndParsesTypeColonName() throws {
        #expect(Principal.user("alice").description == "User:alice")
        #expect(try Principal(parsing: "User:alice") == .user("alice"))
        // A name may hold colons: split at the first one, as KafkaPrincipal.fromString does.
        #expect(try Principal(parsing: "User:CN=a:b") == Principal(type: "User", name: "CN=a:b"))
        #expect(Principal.anonymous.description == "User:ANONYMOUS" && Principal.anonymous.isAnonymous)
        #expect(!Principal.user("alice").isAnonymous)
    }

    @Test func refusesTextWithoutTypeOrName() {
        for bad in ["alice", ":alice", "User:", ""] {
            #expect(throws: PrincipalError(text: bad)) { try Principal(parsing: bad) }
        }
    }

    @Test func codableAsItsText() throws {
        let data = try JSONEncoder().encode([Principal.user("bob")])
        #expect(String(decoding: data, as: UTF8.self) == #"["User:bob"]"#)
        #expect(try JSONDecoder().decode([Principal].self, from: data) == [.user("bob")])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Principal].self, from: Data(#"["bob"]"#.utf8)) }
    }
}
