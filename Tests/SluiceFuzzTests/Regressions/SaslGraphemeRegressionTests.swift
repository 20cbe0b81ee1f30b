import SluiceFuzzEntries
import SluiceSASL
import Testing

/// Usernames where a "," or "=" follows a prepended mark (U+070F) or precedes a combining
/// one: Swift's `Character` is a grapheme cluster, so `SaslName` and the SCRAM parsers,
/// which compared `Character`s, did not see the "=" or "," inside the cluster. Escaping
/// then did not round-trip and a raw "," could hide inside a username. Found by the sasl
/// fuzz target in its first run (2026-12-08); the parsers now work on UTF-8 bytes.
/// Inputs: Tests/Fuzz/regressions/sasl.
@Suite struct SaslGraphemeRegressionTests {
    @Test(arguments: ["prepended-mark-hides-equals", "prepended-mark-hides-escape"])
    func theFuzzersInputsNoLongerTrap(name: String) throws {
        let bytes = try FuzzInputs.regression("sasl", name)
        #expect(SaslFuzz.run(bytes) == .parsed)
    }

    @Test func escapingRoundTripsAroundMarks() {
        for name in ["a\u{070F}=b", "a\u{070F},b", "=\u{0301}", ",\u{0301}x", "\u{070F}=2C"] {
            #expect(SaslName.unescape(Substring(SaslName.escape(name))) == name, "\(name.unicodeScalars.map(\.value))")
        }
        #expect(SaslName.escape("a\u{070F}=") == "a\u{070F}=3D")
        #expect(SaslName.unescape("a\u{070F}=2C") == "a\u{070F},")
        #expect(SaslName.unescape("a=\u{0301}") == nil, "an = not followed by 2C or 3D")
        #expect(SaslName.unescape("a\u{070F},b") == nil, "a raw comma")
    }

    @Test func aCommaAfterAMarkStillSeparatesAttributes() throws {
        let first = try ScramClientFirst(parsing: Array("n,,n=a\u{070F},r=xyz".utf8))
        #expect(first.username == "a\u{070F}")
        #expect(first.nonce == "xyz")
        #expect(first.bare == "n=a\u{070F},r=xyz")
        let final = try ScramClientFinal(parsing: Array("c=biws,r=x\u{070F},p=AAAA".utf8))
        #expect(final.nonce == "x\u{070F}")
        #expect(final.withoutProof == "c=biws,r=x\u{070F}")
    }
}
