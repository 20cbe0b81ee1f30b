import Foundation
import Logging
@testable import SluiceKernel
import Testing

/// Kafka's precedence of quota entities, the stored keys, DescribeClientQuotas filters
/// and the windowed rate that turns usage into throttle times.
struct ClientQuotaTests {
    private func record(_ user: QuotaEntityName?, _ client: QuotaEntityName?, _ rate: Double) -> ClientQuotaRecord {
        ClientQuotaRecord(entity: ClientQuotaEntity(user: user, clientId: client), values: [.producerByteRate: rate])
    }

    @Test func theMostSpecificEntityWinsInKafkaOrder() {
        // One entity per precedence level, each with its level number as the rate.
        let levels: [(QuotaEntityName?, QuotaEntityName?)] = [
            (.named("u"), .named("c")), (.named("u"), .defaultName), (.named("u"), nil),
            (.defaultName, .named("c")), (.defaultName, .defaultName), (.defaultName, nil),
            (nil, .named("c")), (nil, .defaultName),
        ]
        var records = levels.enumerated().map { record($0.element.0, $0.element.1, Double($0.offset + 1)) }
        for level in 1...8 {
            let table = ClientQuotaTable(records)
            #expect(table.quota(.producerByteRate, user: "u", clientId: "c")?.bound == Double(level), "level \(level)")
            records.removeFirst()
        }
        #expect(ClientQuotaTable(records).quota(.producerByteRate, user: "u", clientId: "c") == nil)
    }

    @Test func keysResolveIndependentlyAndDefaultsMeterPerName() {
        let table = ClientQuotaTable([
            ClientQuotaRecord(entity: .init(user: .named("u")), values: [.consumerByteRate: 10]),
            ClientQuotaRecord(entity: .init(clientId: .defaultName), values: [.producerByteRate: 20]),
        ])
        let produce = table.quota(.producerByteRate, user: "u", clientId: "c")
        #expect(produce?.bound == 20 && produce?.meter == ClientQuotaMeter(user: "", clientId: "c"))
        let fetch = table.quota(.consumerByteRate, user: "u", clientId: "c")
        #expect(fetch?.bound == 10 && fetch?.meter == ClientQuotaMeter(user: "u", clientId: ""))
        #expect(table.quota(.requestPercentage, user: "u", clientId: "c") == nil)
    }

    @Test func storageKeysRoundTripAnyName() {
        for entity in [ClientQuotaEntity(user: .named("a,b=c@/%"), clientId: .defaultName), ClientQuotaEntity(clientId: .named("")),
                       ClientQuotaEntity(user: .defaultName), ClientQuotaEntity(user: .named("<default>"))] {
            #expect(ClientQuotaEntity(storageKey: entity.storageKey) == entity, "\(entity.storageKey)")
            #expect(!entity.storageKey.contains("/"))
        }
        #expect(ClientQuotaEntity(storageKey: "") == nil && ClientQuotaEntity(storageKey: "ip=1.2.3.4") == nil)
    }

    @Test func filtersMatchExactDefaultAnyAndStrict() {
        let both = ClientQuotaEntity(user: .named("u"), clientId: .defaultName)
        let user = ClientQuotaEntity(user: .named("u"))
        let exact = [ClientQuotaFilterComponent(entityType: "user", match: .exact("u"))]
        #expect(both.matches(exact, strict: false) && user.matches(exact, strict: false))
        #expect(!both.matches(exact, strict: true) && user.matches(exact, strict: true))
        #expect(both.matches([.init(entityType: "client-id", match: .defaultName)], strict: false))
        #expect(!user.matches([.init(entityType: "client-id", match: .any)], strict: false))
        #expect(both.matches([.init(entityType: "client-id", match: .any), .init(entityType: "user", match: .any)], strict: true))
        #expect(user.matches([], strict: false) && !user.matches([], strict: true))
    }

    @Test func aRateOverTheBoundIsThrottledInProportion() {
        var sampler = QuotaRateSampler(samples: 11, windowMs: 1000)
        // 20 KB in the first second against 1 KB/s: measured over the minimum 10 s span.
        sampler.record(20_000, atMs: 0)
        let (rate, span) = sampler.measure(atMs: 500)
        #expect(rate == 2_000 && span == 10_000)
        #expect(QuotaRateSampler.throttleMs(perSecond: rate, bound: 1_000, spanMs: span, capMs: 11_000) == 10_000)
        #expect(QuotaRateSampler.throttleMs(perSecond: 900, bound: 1_000, spanMs: span, capMs: 11_000) == 0)
        #expect(QuotaRateSampler.throttleMs(perSecond: 1e9, bound: 1_000, spanMs: span, capMs: 11_000) == 11_000)
        // Windows older than the whole span are forgotten.
        sampler.record(1, atMs: 11_500)
        #expect(sampler.measure(atMs: 11_500).perSecond < 1)
    }

    @Test func theManagerThrottlesOnlyTheClientOverItsQuota() async throws {
        let manager = ClientQuotaManager(store: nil, logger: Logger(label: "test"))
        try await manager.alter(ClientQuotaEntity(clientId: .named("slow")), set: [.producerByteRate: 1_000], validateOnly: false)
        await #expect(throws: ClientQuotaError.self) {
            try await manager.alter(ClientQuotaEntity(clientId: .named("x")), set: [.producerByteRate: -1], validateOnly: true)
        }
        try await manager.alter(ClientQuotaEntity(clientId: .named("other")), set: [.producerByteRate: 5], validateOnly: true)
        #expect(try await manager.describe([], strict: false).count == 1, "validate-only stores nothing")
        var slow: Int32 = 0, fast: Int32 = 0
        for step in 0..<20 {
            slow = await manager.record(.producerByteRate, amount: 5_000, user: "ANONYMOUS", clientId: "slow", atMs: Int64(step) * 100)
            fast = await manager.record(.producerByteRate, amount: 5_000, user: "ANONYMOUS", clientId: "fast", atMs: Int64(step) * 100)
        }
        #expect(slow > 0 && fast == 0)
    }
}
