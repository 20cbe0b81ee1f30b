import Logging
import SluiceKernel
import Testing
@testable import SluiceBeats

/// The benchmark API at a small size: it must complete with every window acknowledged
/// and every event stored. Figures come from a release build (see the closing note of
/// issue 8); a debug build measures the debug build.
@Suite(.timeLimit(.minutes(2))) struct BeatsBenchmarkTests {
    @Test(arguments: [nil, Int32(3)])
    func theLoadIsAckedAndStored(compressionLevel: Int32?) async throws {
        let broker = try await makeBroker()
        var options = BeatsBenchmark.Options()
        options.events = 20_480
        options.windowSize = 2048
        options.compressionLevel = compressionLevel
        options.connections = 2
        let result = try await BeatsBenchmark.runInProcess(services: ConnectorServices(broker: broker), options: options,
                                                           logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        #expect(result.events == 20_480)
        #expect(result.eventsPerSecond > 0)
        let stored = try await readRecords(broker, .init("logs", 0))
        #expect(stored.count == 20_480)
        #expect(stored.allSatisfy { $0.value?.count == 1024 })
        print("beats benchmark (debug build, compression \(compressionLevel.map(String.init) ?? "off")): \(result)")
    }

    @Test func sampleEventsHaveTheRequestedSizeAndAreValidJSON() throws {
        for size in [300, 1024, 4096] {
            let event = BeatsBenchmark.sampleEvent(index: size, size: size)
            #expect(event.readableBytes == size)
            #expect(try EventScanner().scan(event, sequence: 1).timestamp != nil)
        }
    }
}
