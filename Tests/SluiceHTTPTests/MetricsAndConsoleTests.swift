import Foundation
import SluiceKernel
import Testing

@Suite("http plugin: metrics and console")
struct MetricsAndConsoleTests {
    @Test func scrapeReportsLogEndOffsetSizeLagAndMemory() async throws {
        try await withHTTPServer { server in
            try await server.broker.createTopic("events", partitions: 2)
            try await server.produce(TopicPartition("events", 1), count: 1000)
            _ = await server.broker.groups.commitOffsets(groupId: "g1", generationId: -1, memberId: "", groupInstanceId: nil,
                                                         offsets: [TopicPartition("events", 1): CommittedOffset(offset: 400)])
            let (status, text, contentType) = try await server.get("/metrics")
            #expect(status == 200)
            #expect(contentType?.hasPrefix("text/plain") == true)
            let lines = Set(text.split(separator: "\n").map(String.init))
            #expect(lines.contains("# TYPE sluice_partition_log_end_offset gauge"))
            #expect(lines.contains(#"sluice_partition_log_end_offset{topic="events",partition="0"} 0"#))
            #expect(lines.contains(#"sluice_partition_log_end_offset{topic="events",partition="1"} 1000"#))
            #expect(lines.contains(#"sluice_consumer_group_lag{group="g1",topic="events",partition="1"} 600"#))
            let size = try #require(lines.first { $0.hasPrefix(#"sluice_partition_size_bytes{topic="events",partition="1"} "#) })
            #expect((Int(size.split(separator: " ").last!) ?? 0) > 10_000)
            let rss = try #require(lines.first { $0.hasPrefix("sluice_process_resident_memory_bytes ") })
            #expect((Int(rss.split(separator: " ").last!) ?? 0) > 1 << 20)
        }
    }

    @Test func fetchesCountRecordsFromTheFetchOffsetOnly() async throws {
        try await withHTTPServer { server in
            try await server.broker.createTopic("counted", partitions: 1)
            try await server.produce(TopicPartition("counted", 0), count: 100, perBatch: 50)
            let read = try await server.broker.browse(TopicPartition("counted", 0), from: 30, maxBytes: 1 << 20)
            #expect(read.payload.recordCount(from: 30) == 70, "records 30–99 of batches 0–49 and 50–99")
            #expect(read.payload.recordCount(from: 0) == 100)
            #expect(read.payload.recordCount(from: 100) == 0)
        }
    }

    @Test func consoleIsOnePageWithNothingFetchedFromElsewhere() async throws {
        try await withHTTPServer { server in
            let (status, html, contentType) = try await server.get("/")
            #expect(status == 200)
            #expect(contentType?.hasPrefix("text/html") == true)
            #expect(html.contains("<table id=\"topics\">"))
            #expect(html.contains("/api/groups"))
            #expect(html.contains("name=\"viewport\""), "phones get the responsive layout")
            #expect(!html.contains("<script src"), "every script is embedded")
            #expect(!html.contains("<link"), "every stylesheet is embedded")
            #expect(!html.contains("https://"), "no CDN")
        }
    }
}
