@testable import Server
import Testing

@Suite("kcat-style record format")
struct RecordFormatTests {
    @Test func placeholdersAndEscapes() throws {
        let format = try RecordFormat(parsing: #"%t/%p@%o %k=%s (%T) [%h] %S %K 100%%\n"#)
        let out = format.render(topic: "logs", partition: 2, offset: 42, key: Array("k".utf8), value: Array("v1".utf8),
                                timestamp: 1700, headers: [("a", Array("1".utf8)), ("b", nil)])
        #expect(String(decoding: out, as: UTF8.self) == "logs/2@42 k=v1 (1700) [a=1,b=] 2 1 100%\n")
    }

    @Test func nullKeyAndValue() throws {
        let out = try RecordFormat(parsing: "%k|%s|%S|%K").render(topic: "t", partition: 0, offset: 0, key: nil, value: nil, timestamp: 0, headers: [])
        #expect(String(decoding: out, as: UTF8.self) == "||-1|-1")
    }

    @Test func unknownPlaceholderIsAnError() {
        #expect(throws: RecordFormatError.self) { try RecordFormat(parsing: "%q") }
        #expect(throws: RecordFormatError.self) { try RecordFormat(parsing: "50%") }
    }

    @Test func tableRendersAlignedTextAndJSON() {
        let table = Table(columns: ["TOPIC", "PARTITION"], rows: [["logs", "0"], ["a-long-topic", "12"]])
        #expect(table.renderText() == "TOPIC         PARTITION\nlogs          0\na-long-topic  12\n")
        #expect(table.renderJSON().contains("\"partition\" : \"12\""))
    }
}
