import SluiceKernel
@testable import SluiceSASL
import Testing

/// Parsing SCRAM's client-first and PLAIN's message: escapes, authzid, refusals.
@Suite struct SaslMessageTests {
    /// tulios/kafkajs#505: "," is "=2C", "=" is "=3D", any other "=" is malformed.
    @Test func unescapesUsernamesAndRefusesOtherEscapes() throws {
        #expect(SaslName.unescape("a=2Cb=3Dc") == "a,b=c")
        #expect(SaslName.escape("a,b=c") == "a=2Cb=3Dc")
        for bad in ["a=2Db", "a=", "a=2", "a=3d", "a,b"] { #expect(SaslName.unescape(Substring(bad)) == nil, "\(bad)") }
        let first = try ScramClientFirst(parsing: Array("n,,n=a=2Cb=3Dc,r=xyz".utf8))
        #expect(first.username == "a,b=c" && first.nonce == "xyz" && first.gs2Header == "n,," && first.bare == "n=a=2Cb=3Dc,r=xyz")
        #expect(throws: SaslError.self) { try ScramClientFirst(parsing: Array("n,,n=a=2Db,r=xyz".utf8)) }
    }

    @Test func acceptsAnAuthzidOnlyWhenItIsTheUsername() throws {
        let same = try ScramClientFirst(parsing: Array("n,a=alice,n=alice,r=xyz".utf8))
        #expect(same.gs2Header == "n,a=alice," && same.username == "alice")
        #expect(throws: SaslError.self) { try ScramClientFirst(parsing: Array("n,a=bob,n=alice,r=xyz".utf8)) }
    }

    @Test func keepsKafkasExtensions() throws {
        let first = try ScramClientFirst(parsing: Array("n,,n=alice,r=xyz,tokenauth=true".utf8))
        #expect(first.extensions == ["tokenauth": "true"] && first.bare == "n=alice,r=xyz,tokenauth=true")
    }

    @Test func refusesMalformedClientFirsts() {
        for bad in ["", "n,,", "n,,n=alice", "p=tls-unique,,n=alice,r=xyz", "x,,n=alice,r=xyz", "n,,m=ext,n=alice,r=xyz",
                    "n,,n=,r=xyz", "n,,n=alice,r=", "n,,n=alice,r=a b", "n,,n=alice,x=xyz", "n,,n=alice,r=xyz,=v"] {
            #expect(throws: SaslError.self, "\(bad)") { try ScramClientFirst(parsing: Array(bad.utf8)) }
        }
        #expect(throws: SaslError.self) { try ScramClientFirst(parsing: [0xff, 0xfe, 0x2c]) }
    }

    @Test func refusesMalformedClientFinals() {
        for bad in ["", "c=biws,r=x", "r=x,c=biws,p=AAAA", "c=biws,p=AAAA", "c=biws,r=x,p=", "c=biws,r=x,p=!!"] {
            #expect(throws: SaslError.self, "\(bad)") { try ScramClientFinal(parsing: Array(bad.utf8)) }
        }
    }

    /// apache/kafka#3766: an empty authzid means the username; another one is refused.
    @Test func parsesPlainWithItsAuthzidRule() throws {
        #expect(try PlainMessage(parsing: Array("\0alice\0pw".utf8)) == PlainMessage(username: "alice", password: "pw"))
        #expect(try PlainMessage(parsing: Array("alice\0alice\0p\u{1}w".utf8)).password == "p\u{1}w")
        for bad in ["bob\0alice\0pw", "\0\0pw", "\0alice\0", "alice\0pw", "\0a\0b\0c"] {
            #expect(throws: SaslError.self, "\(bad)") { try PlainMessage(parsing: Array(bad.utf8)) }
        }
    }
}
