import Foundation
import SluiceKernel
import Testing
@testable import SluiceFileSink

@Suite("file-sink configuration")
struct ConfigurationTests {
    func problems(_ json: String) throws -> [String] {
        ConfigDecoding.decode(FileSinkConfiguration.self, from: try JSONValue.parse(Data(json.utf8))).1.map(\.description)
    }

    @Test func defaultsAreDocumentedAndApplied() throws {
        let (config, problems) = ConfigDecoding.decode(FileSinkConfiguration.self, from: try JSONValue.parse(Data(#"{"topics":["logs"]}"#.utf8)))
        #expect(problems.isEmpty)
        let decoded = try #require(config)
        #expect(decoded.sinkFormat == .value && decoded.start == .earliest)
        #expect(decoded.rotateBytes == 104_857_600 && decoded.rotateMinutes == 60 && decoded.flushIntervalMs == 1000)
        #expect(Set(FileSinkConfiguration.keys.map(\.key)) == ["topics", "path", "format", "rotateBytes", "rotateMinutes",
                                                              "flushIntervalMs", "startFrom", "topicCheckIntervalMs"])
        let settings = SinkSettings(decoded, name: "archive", dataDirectory: URL(fileURLWithPath: "/var/lib/sluice"))
        #expect(settings.root == "/var/lib/sluice/archive", "no path means <dataDir>/<connector name>")
    }

    @Test func typeErrorsNameTheKeyAndWhatWasFound() throws {
        let found = try problems(#"{"topics":"logs"}"#)
        #expect(found.contains { $0.hasPrefix("topics: expected an array, got a string") }, "\(found)")
    }

    @Test func typosAndBadValuesAreAllReported() throws {
        let found = try problems(#"{"topics":["ok","bad name","ok"],"format":"xml","startFrom":"middle","rotateByte":5,"rotateBytes":10,"flushIntervalMs":-1}"#)
        #expect(found.contains("rotateByte: unknown key 'rotateByte'; did you mean 'rotateBytes'?"), "\(found)")
        #expect(found.contains { $0.hasPrefix("topics[1]: 'bad name' is not a valid topic name") }, "\(found)")
        #expect(found.contains("topics[2]: 'ok' is listed twice; list each topic once"), "\(found)")
        #expect(found.contains("format: unknown format 'xml'; use \"value\" or \"json\""), "\(found)")
        #expect(found.contains("startFrom: unknown start 'middle'; use \"earliest\" or \"latest\""), "\(found)")
        #expect(found.contains("rotateBytes: must be at least 1024 bytes, got 10"), "\(found)")
        #expect(found.contains("flushIntervalMs: must be between 0 and 3600000 ms, got -1"), "\(found)")
    }

    @Test func atLeastOneTopicIsRequired() throws {
        #expect(try problems("{}") == ["topics: name at least one topic to sink, e.g. [\"logs\"]"])
    }

    @Test func positionsRoundTripAndRejectForeignValues() throws {
        let position = SinkPosition(nextOffset: 1200, file: "00000000000000001000.log", fileBytes: 5400, fileCreatedMs: 7)
        #expect(try SinkPosition.decode(position.encoded(), key: "k") == position)
        #expect(position.encoded() == #"{"file":"00000000000000001000.log","fileBytes":5400,"fileCreatedMs":7,"nextOffset":1200}"#)
        #expect(throws: FileSinkError.corruptPosition(key: "k", value: "77")) { try SinkPosition.decode("77", key: "k") }
        #expect(throws: FileSinkError.self) { try SinkPosition.decode(#"{"file":"../../etc/passwd","fileBytes":1,"fileCreatedMs":0,"nextOffset":1}"#, key: "k") }
    }

    @Test func fileNamesSortLikeOffsets() {
        let names = [0, 9, 10, 99_999, 1_000_000_000_000].map { SinkDirectory.fileName(firstOffset: Int64($0)) }
        #expect(names == names.sorted())
        #expect(names[1] == "00000000000000000009.log")
        #expect(names.map(SinkDirectory.firstOffset(ofFileNamed:)) == [0, 9, 10, 99_999, 1_000_000_000_000])
        #expect(SinkDirectory.firstOffset(ofFileNamed: "9.log") == nil)
    }
}
