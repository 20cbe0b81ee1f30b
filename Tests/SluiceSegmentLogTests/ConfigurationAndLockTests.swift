import Foundation
import Logging
import SluiceKernel
import Testing
@testable import SluiceSegmentLog

@Suite("configuration and the directory lock")
struct ConfigurationAndLockTests {
    typealias Configuration = SegmentLogStorageFactory.Configuration

    @Test func anEmptyConfigurationTakesTheDocumentedDefaults() throws {
        let config = try JSONDecoder().decode(Configuration.self, from: Data("{}".utf8))
        #expect(config == Configuration())
        #expect(config.segmentBytes == 1_073_741_824 && config.segmentMs == 604_800_000)
        #expect(config.retentionHours == 168 && config.retentionBytes == -1)
        #expect(config.indexIntervalBytes == 4096 && config.flush == .interval && config.flushIntervalMs == 1000)
        #expect(config.directory == nil)
        #expect(config.cleanerOffsetMapBytes == 134_217_728 && config.cleanerIoBytesPerSecond == -1)
        #expect(config.maxOpenFiles == 1024)
        #expect(config.validate().isEmpty)
        #expect(config.retention == RetentionPolicy(retentionMs: 168 * 3_600_000, retentionBytes: nil))
        #expect(Set(Configuration.keys.map(\.key)) == ["segmentBytes", "segmentMs", "retentionHours", "retentionBytes",
                                                        "indexIntervalBytes", "flush", "flushIntervalMs", "directory",
                                                        "cleanerOffsetMapBytes", "cleanerIoBytesPerSecond", "maxOpenFiles"])
    }

    @Test func anUnknownFlushPolicyNamesTheChoices() {
        #expect {
            _ = try JSONDecoder().decode(Configuration.self, from: Data(#"{"flush": "sometimes"}"#.utf8))
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.codingPath.map(\.stringValue) == ["flush"]
                && context.debugDescription == "expected one of always, interval, never, got 'sometimes'"
        }
    }

    @Test func outOfRangeValuesAreReportedTogetherWithTheirKeys() throws {
        let json = #"{"segmentBytes": 10, "segmentMs": 0, "retentionHours": 0, "retentionBytes": -5,"#
            + #" "indexIntervalBytes": 0, "flushIntervalMs": 0, "directory": "", "flush": "always"}"#
        let config = try JSONDecoder().decode(Configuration.self, from: Data(json.utf8))
        #expect(config.flush == .always)
        let problems = config.validate()
        #expect(problems.map(\.keyPath) == ["segmentBytes", "segmentMs", "retentionHours", "retentionBytes",
                                            "indexIntervalBytes", "flushIntervalMs", "directory"])
        #expect(problems[0].message == "must be between 1024 and 2147483647 bytes, got 10")
        #expect(try JSONDecoder().decode(Configuration.self, from: Data(#"{"retentionHours": -1}"#.utf8)).retention.retentionMs == nil)
    }

    @Test func theFactoryUsesTheBrokerDataDirectoryUnlessToldOtherwise() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let context = PluginContext(instanceName: "storage", dataDirectory: dir.url, logger: quietLogger)
        let storage = try await SegmentLogStorageFactory.make(Configuration(), context: context)
        #expect((storage as? SegmentLogStorage)?.directory == dir.url.standardizedFileURL.path)
        #expect(storage.defaultLogConfig == PartitionLogConfig())
        try await storage.close()
        var custom = Configuration()
        custom.directory = dir.path + "/elsewhere"
        let other = try await SegmentLogStorageFactory.make(custom, context: context)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/elsewhere/.lock"))
        try await other.close()
        #expect(SegmentLogStorageFactory.name == "segment-log")
    }

    @Test func aSecondOpenOfTheDirectoryFailsNamingItAndTheHolder() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let first = try openStorage(dir)
        let path = dir.url.standardizedFileURL.path
        #expect(throws: StorageError.locked(directory: path, holderPID: getpid())) { _ = try openStorage(dir) }
        let message = "\(StorageError.locked(directory: path, holderPID: getpid()))"
        #expect(message.contains(path) && message.contains("process \(getpid())"))
        try await first.close()
        let second = try openStorage(dir)
        try await second.close()
    }

    @Test func aClosedStorageRefusesWork() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = try openStorage(dir)
        try await storage.close()
        await #expect(throws: StorageError.closed(nil)) { _ = try await storage.open(TopicPartition("x", 0), config: PartitionLogConfig()) }
        await #expect(throws: StorageError.closed(nil)) { _ = try await storage.storedPartitions() }
    }
}
