import Foundation
import SluiceKernel
import Testing

@Suite("http plugin: record browser")
struct RecordBrowserTests {
    private func records(_ value: Any) throws -> [[String: Any]] {
        try #require((value as? [String: Any])?["records"] as? [[String: Any]])
    }

    @Test func pagesFromAnOffsetWithKeysValuesHeadersAndTimestamps() async throws {
        try await withHTTPServer { server in
            try await server.broker.createTopic("logs", partitions: 1)
            try await server.produce(TopicPartition("logs", 0), count: 300, perBatch: 64)
            let (status, value) = try await server.json("/api/topics/logs/partitions/0/records?offset=130&limit=5")
            #expect(status == 200)
            let page = try #require(value as? [String: Any])
            #expect(page["logEndOffset"] as? Int == 300)
            #expect(page["nextOffset"] as? Int == 135)
            let list = try records(value)
            #expect(list.map { $0["offset"] as? Int } == [130, 131, 132, 133, 134])
            #expect((list[0]["value"] as? [String: Any])?["data"] as? String == "value-130")
            #expect((list[0]["value"] as? [String: Any])?["encoding"] as? String == "utf8")
            #expect((list[0]["key"] as? [String: Any])?["data"] as? String == "key-130")
            #expect(list[0]["timestamp"] as? Int == 1_700_000_000_130)
            let header = try #require((list[0]["headers"] as? [[String: Any]])?.first)
            #expect(header["key"] as? String == "h")
            #expect((header["value"] as? [String: Any])?["data"] as? String == "x")

            let capped = try records(try await server.json("/api/topics/logs/partitions/0/records?limit=100000").value)
            #expect(capped.count == 300, "all 300 records fit under the cap of 500")
            let defaultPage = try records(try await server.json("/api/topics/logs/partitions/0/records").value)
            #expect(defaultPage.first?["offset"] as? Int == 0)
            #expect(defaultPage.count == 50)
        }
    }

    @Test func limitIsCappedAt500() async throws {
        try await withHTTPServer { server in
            try await server.broker.createTopic("big", partitions: 1)
            try await server.produce(TopicPartition("big", 0), count: 700, perBatch: 200)
            let list = try records(try await server.json("/api/topics/big/partitions/0/records?limit=501").value)
            #expect(list.count == 500)
            #expect(list.last?["offset"] as? Int == 499)
        }
    }

    @Test func startsAtTheFirstRecordAtOrAfterATimestamp() async throws {
        try await withHTTPServer { server in
            try await server.broker.createTopic("ts", partitions: 1)
            try await server.produce(TopicPartition("ts", 0), count: 100, perBatch: 10)
            let list = try records(try await server.json("/api/topics/ts/partitions/0/records?timestamp=1700000000042&limit=3").value)
            #expect(list.map { $0["offset"] as? Int } == [42, 43, 44])
            let none = try records(try await server.json("/api/topics/ts/partitions/0/records?timestamp=1800000000000").value)
            #expect(none.isEmpty, "no record is that new")
        }
    }

    @Test func largeValuesAreTruncatedAndBinaryIsBase64() async throws {
        try await withHTTPServer { server in
            try await server.broker.createTopic("blobs", partitions: 1)
            try await server.produce(TopicPartition("blobs", 0), count: 2, perBatch: 1) { index in
                index == 0 ? Array(repeating: UInt8(ascii: "a"), count: 100_000) : [0xFF, 0xFE, 0x00, 0x01]
            }
            let list = try records(try await server.json("/api/topics/blobs/partitions/0/records").value)
            let big = try #require(list[0]["value"] as? [String: Any])
            #expect(big["truncated"] as? Bool == true)
            #expect(big["size"] as? Int == 100_000)
            #expect((big["data"] as? String)?.utf8.count == 64 * 1024)
            let binary = try #require(list[1]["value"] as? [String: Any])
            #expect(binary["encoding"] as? String == "base64")
            #expect(binary["data"] as? String == Data([0xFF, 0xFE, 0x00, 0x01]).base64EncodedString())
            #expect(binary["truncated"] as? Bool == false)
        }
    }

    @Test func unknownTopicsPartitionsAndBadParametersAreJSONErrors() async throws {
        try await withHTTPServer { server in
            try await server.broker.createTopic("known", partitions: 2)
            try await server.produce(TopicPartition("known", 0), count: 10)
            let cases: [(String, Int, String)] = [
                ("/api/topics/nope/partitions/0/records", 404, "unknown topic 'nope'"),
                ("/api/topics/known/partitions/7/records", 404, "has no partition 7"),
                ("/api/topics/known/partitions/x/records", 400, "partition must be a non-negative integer"),
                ("/api/topics/known/partitions/0/records?offset=-3", 400, "offset must be a non-negative integer"),
                ("/api/topics/known/partitions/0/records?offset=abc", 400, "offset must be a non-negative integer"),
                ("/api/topics/known/partitions/0/records?offset=11", 400, "outside known-0's log [0, 10]"),
                ("/api/topics/known/partitions/0/records?limit=0", 400, "limit must be a positive integer"),
                ("/api/topics/known/partitions/0/records?timestamp=soon", 400, "timestamp must be milliseconds"),
                ("/api/no/such/path", 404, "no such path"),
            ]
            for (path, expected, message) in cases {
                let (status, body, contentType) = try await server.get(path)
                #expect(status == expected, "\(path)")
                #expect(contentType?.hasPrefix("application/json") == true, "\(path)")
                let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
                let error = json?["error"] as? String ?? ""
                #expect(error.contains(message), "\(path): \(body)")
            }
        }
    }
}
