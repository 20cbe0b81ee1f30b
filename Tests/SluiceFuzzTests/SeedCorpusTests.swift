import SluiceFuzzEntries
import KafkaWire
import Testing

/// The seed corpora are real client traffic (Tests/Fuzz/make-seeds.py), so each seed must
/// get through its fuzz entry as valid input: a seed the entry refuses is either a
/// corrupt seed or a decoder bug, and a fuzzer mutating from it starts off course.
@Suite struct SeedCorpusTests {
    @Test func everyRecordedKafkaRequestDecodes() throws {
        let seeds = try FuzzInputs.seeds("kafka-request")
        #expect(seeds.count >= 20)
        for seed in seeds {
            let outcome = KafkaRequestFuzz.run(seed.bytes)
            #expect(outcome.framingError == nil, "\(seed.name)")
            #expect(outcome.leftoverBytes == 0, "\(seed.name)")
            #expect(outcome.frames.count == 1, "\(seed.name)")
            for frame in outcome.frames {
                switch frame {
                case .decoded, .unsupportedApiVersions: break
                case .closed(let reason): Issue.record("\(seed.name): \(reason)")
                }
            }
        }
    }

    @Test func everyRecordBatchSeedParsesAndDecodes() throws {
        let seeds = try FuzzInputs.seeds("record-batch")
        #expect(seeds.count >= 4)
        for seed in seeds {
            let outcome = RecordBatchFuzz.run(seed.bytes)
            #expect(outcome.parseError == nil, "\(seed.name)")
            #expect(outcome.batches == 1, "\(seed.name)")
            #expect(outcome.records >= 1, "\(seed.name)")
            #expect(outcome.decodeErrors.isEmpty, "\(seed.name)")
        }
    }

    @Test func everyLumberjackSeedCompletesItsWindows() throws {
        let seeds = try FuzzInputs.seeds("lumberjack")
        #expect(seeds.count >= 5)
        for seed in seeds {
            let outcome = LumberjackFuzz.run(seed.bytes)
            #expect(outcome.error == nil, "\(seed.name)")
            #expect(outcome.leftoverBytes == 0, "\(seed.name)")
            if seed.name.hasPrefix("empty-window") { continue }
            #expect(outcome.chunks.last?.completesWindow == true, "\(seed.name)")
        }
    }

    @Test func everySaslSeedParsesAndEveryRecordedExchangeAuthenticates() throws {
        let seeds = try FuzzInputs.seeds("sasl")
        #expect(seeds.count >= 8)
        for seed in seeds {
            let expected: SaslFuzz.Outcome = seed.name.hasPrefix("exchange") ? .authenticated(SaslFuzz.user) : .parsed
            #expect(SaslFuzz.run(seed.bytes) == expected, "\(seed.name)")
        }
    }

    @Test func aRecordedExchangeWithOneProofByteChangedIsRefused() throws {
        let exchanges = try FuzzInputs.seeds("sasl").filter { $0.name.hasPrefix("exchange") }
        #expect(exchanges.count == 2)
        for seed in exchanges {
            var bytes = seed.bytes
            // The proof is the base64 after the last "p="; change its first character.
            let proofStart = try #require(bytes.indices.last { bytes[$0] == UInt8(ascii: "=") && bytes[$0 - 1] == UInt8(ascii: "p") }) + 1
            bytes[proofStart] = bytes[proofStart] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            #expect(SaslFuzz.run(bytes) == .refused(.invalidCredentials), "\(seed.name)")
        }
    }
}
