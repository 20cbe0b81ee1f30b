import NIOCore
import SluiceTestSupport
import Testing
@testable import SluiceBeats

@Suite struct EventScannerTests {
    func scan(_ json: String, key: String? = nil, topic: String? = nil) throws -> EventFields {
        try EventScanner(keyField: key, topicField: topic).scan(ByteBuffer(string: json), sequence: 1)
    }

    /// Expects `json` to be refused as invalid JSON with a reason containing `reason`.
    func expectRefusal(_ json: String, reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try scan(json)
            Issue.record("\(json) was accepted", sourceLocation: sourceLocation)
        } catch {
            guard let refusal = error as? BeatsProtocolError, case .invalidJSON(_, let why) = refusal else {
                Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(why.contains(reason), "\(why)", sourceLocation: sourceLocation)
        }
    }

    @Test func findsTimestampKeyAndTopicInOnePass() throws {
        let fields = try scan(#"{"@timestamp":"2024-05-01T12:34:56.789Z","host":{"name":"web-1","ip":[1,2]},"fields":{"topic":"app-logs"},"n":-1.5e3}"#,
                              key: "host.name", topic: "fields.topic")
        #expect(fields.timestamp == 1_714_566_896_789)
        #expect(fields.key == Array("web-1".utf8))
        #expect(fields.topic == "app-logs")
    }

    @Test func flatDottedNamesMatchToo() throws {
        let fields = try scan(#"{"host.name":"flat","fields.topic":"t1"}"#, key: "host.name", topic: "fields.topic")
        #expect(fields.key == Array("flat".utf8))
        #expect(fields.topic == "t1")
    }

    @Test func nonStringKeysAreTakenAsSentAndStringsUnescaped() throws {
        #expect(try scan(#"{"user":{"id":12345}}"#, key: "user.id").key == Array("12345".utf8))
        #expect(try scan(#"{"k":{"a":[1, 2]}}"#, key: "k").key == Array(#"{"a":[1, 2]}"#.utf8))
        #expect(try scan(#"{"k":"a\"b\\c\u00e9\ud83d\ude00"}"#, key: "k").key == Array("a\"b\\cé😀".utf8))
        #expect(try scan(#"{"topic":42}"#, topic: "topic").topic == nil)
    }

    @Test func absentFieldsAreNil() throws {
        #expect(try scan(#"{}"#, key: "a.b", topic: "c") == EventFields())
        #expect(try scan(#"{"a":"not an object"}"#, key: "a.b") == EventFields())
    }

    @Test func fieldsThatComeLateAreFound() throws {
        let padding = (0..<40).map { #""f\#($0)":{"a":[1,{"b":"x\"y"}],"n":null}"# }.joined(separator: ",")
        let json = #"{"# + padding + #","fields":{"t":"late-topic"},"k":"late-key","@timestamp":"2024-05-01T12:34:56.789Z"}"#
        let fields = try scan(json, key: "k", topic: "fields.t")
        #expect(fields.timestamp == 1_714_566_896_789)
        #expect(fields.key == Array("late-key".utf8))
        #expect(fields.topic == "late-topic")
    }

    @Test func nestedMembersWithTheSameNamesAreNotTheFields() throws {
        let json = #"{"a":{"@timestamp":"2020-01-01T00:00:00Z","k":"inner","fields":{"t":"inner"}},"#
            + #""k":"outer","fields":{"x":{"t":"deeper"},"t":"outer"},"@timestamp":"2024-05-01T12:34:56.789Z"}"#
        let fields = try scan(json, key: "k", topic: "fields.t")
        #expect(fields.timestamp == 1_714_566_896_789)
        #expect(fields.key == Array("outer".utf8))
        #expect(fields.topic == "outer")
    }

    @Test func escapedNamesAndValues() throws {
        // An escaped name is not the configured name; escaped values are unescaped.
        let json = #"{"\u006b":"not-it","k":"a\"b","t":"to\u0070ic","x":"}\"{","@timestamp":"2024-05-01T12:34:56.789Z"}"#
        let fields = try scan(json, key: "k", topic: "t")
        #expect(fields.key == Array("a\"b".utf8))
        #expect(fields.topic == "topic")
        #expect(fields.timestamp == 1_714_566_896_789)
    }

    @Test func missingFieldsAreNilAndTheWholeEventIsChecked() throws {
        let fields = try scan(#"{"@timestamp":"2024-05-01T12:34:56.789Z","host":{"name":1}}"#, key: "k", topic: "fields.t")
        #expect(fields.timestamp == 1_714_566_896_789)
        #expect(fields.key == nil)
        #expect(fields.topic == nil)
        // With the key missing, a malformed member after the timestamp is still found.
        #expect(throws: BeatsProtocolError.self) { try scan(#"{"@timestamp":"2024-05-01T12:34:56Z","a":tru}"#, key: "k") }
    }

    @Test func theFirstOccurrenceOfAFieldIsTaken() throws {
        let fields = try scan(#"{"k":"first","t":"one","k":"second","t":"two"}"#, key: "k", topic: "t")
        #expect(fields.key == Array("first".utf8))
        #expect(fields.topic == "one")
    }

    @Test(arguments: [
        (#"{"@timestamp":"2024-05-01T12:34:56Z","a":{"b":[1,2]}"#, "unclosed object"),
        (#"{"@timestamp":"2024-05-01T12:34:56Z","a":"x}"#, "unterminated string"),
        (#"{"@timestamp":"2024-05-01T12:34:56Z","a":1} x"#, "unexpected bytes after the object"),
        (#"{"@timestamp":"2024-05-01T12:34:56Z"}}"#, "unexpected bytes after the object"),
        (#"{"x":{"@timestamp":"2024-05-01T12:34:56Z"},"@timestamp":"2024-05-01T12:34:56Z","a":[["#, "unclosed object"),
    ])
    func afterTheLastFieldTheObjectMustStillClose(json: String, reason: String) {
        expectRefusal(json, reason: reason)
    }

    @Test func fieldsFoundInsideNestedObjectsSkipTheRest() throws {
        let json = #"{"@timestamp":"2024-05-01T12:34:56Z","fields":{"t":"routed","more":{"deep":[{"x":"]}"}]}},"tail":[1,{"y":"z"}]}"#
        #expect(try scan(json, topic: "fields.t").topic == "routed")
        #expect(throws: BeatsProtocolError.self) { try scan(String(json.dropLast()), topic: "fields.t") }
    }

    @Test(arguments: [
        (#""#, "the payload is empty"),
        (#"[1,2]"#, "must be a JSON object"),
        (#"{"a":1"#, "unclosed object"),
        (#"{"a":"x}"#, "unterminated string"),
        (#"{"a":tru}"#, "invalid literal"),
        (#"{"a":1}x"#, "unexpected bytes after the object"),
        (#"{a:1}"#, "expected a quoted member name"),
        (#"{"a" 1}"#, "expected ':'"),
        (#"{"a":[1 2]}"#, "expected ',' or ']'"),
        (#"{"a":@}"#, "unexpected character"),
        (#"{"a":"\\"}"#, ""),
    ])
    func malformedEventsAreRefusedWithAReason(json: String, reason: String) throws {
        if reason.isEmpty {
            _ = try scan(json)  // an escaped backslash before the quote is fine
            return
        }
        expectRefusal(json, reason: reason)
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = #"{"a":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(throws: BeatsProtocolError.self) { try scan(deep) }
        let deepObjects = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        #expect(throws: BeatsProtocolError.self) { try scan(deepObjects, key: String(repeating: "a.", count: 9_999) + "a") }
    }

    @Test func randomBytesNeverCrash() {
        var generator = SeededGenerator.forTest()
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<64, using: &generator)
            let alphabet = Array(#"{}[]":,\ a1-tfn."#.utf8)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            _ = try? EventScanner(keyField: "a", topicField: "b.c").scan(ByteBuffer(bytes: bytes), sequence: 1)
        }
    }
}

@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("2024-05-01T12:34:56.789Z", Int64(1_714_566_896_789)),
        ("2024-05-01T12:34:56Z", 1_714_566_896_000),
        ("2024-05-01t12:34:56.7z", 1_714_566_896_700),
        ("2024-05-01 12:34:56.123456789Z", 1_714_566_896_123),
        ("2024-05-01T14:34:56.789+02:00", 1_714_566_896_789),
        ("2024-05-01T07:34:56.789-0500", 1_714_566_896_789),
        ("2024-05-01T13:34:56.789+01", 1_714_566_896_789),
        ("1970-01-01T00:00:00Z", 0),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
    ])
    func validTimestamps(text: String, millis: Int64) {
        #expect(RFC3339.milliseconds(Array(text.utf8)) == millis)
    }

    @Test(arguments: ["", "2024-05-01", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-05-01T24:00:00Z",
                      "2024-05-01T12:34:56", "2024-05-01T12:34:56.Z", "2024-05-01T12:34:56ZZ", "1969-12-31T23:59:59Z",
                      "yesterday", "2024-05-01T12:34:56+25:00"])
    func invalidTimestamps(text: String) {
        #expect(RFC3339.milliseconds(Array(text.utf8)) == nil)
    }
}

@Suite struct JSONStringScanTests {
    /// Escaped quotes and backslashes at every offset around the 8-byte word boundaries.
    @Test func escapesAtEveryOffsetEndTheStringExactly() throws {
        for length in 0..<40 {
            for escapeAt in 0..<max(1, length) {
                for escape in [#"\""#, #"\\"#, #"\n"#, #"\u0041"#] {
                    var body = String(repeating: "a", count: length)
                    if length > 0 {
                        body.insert(contentsOf: escape, at: body.index(body.startIndex, offsetBy: escapeAt))
                    }
                    let json = #"{"k":""# + body + #"","z":1}"#
                    let fields = try EventScanner(keyField: "k").scan(ByteBuffer(string: json), sequence: 1)
                    let expected = try #require(Array(body.utf8).withUnsafeBufferPointer { JSONString.unescape($0) })
                    #expect(fields.key == expected, "\(json)")
                }
            }
        }
    }

    @Test func aBackslashJustBeforeTheEndIsUnterminated() {
        for padding in 0..<20 {
            let json = #"{"k":""# + String(repeating: "b", count: padding) + #"\"}"#
            #expect(throws: BeatsProtocolError.self) { try EventScanner().scan(ByteBuffer(string: json), sequence: 1) }
        }
    }
}
