import Foundation
import Logging

/// Client quotas as the kernel keeps them: the stored quotas (reloaded from the metadata
/// store every `refreshMs`, so that in a cluster every broker sees another broker's
/// alteration within seconds) and the usage meters that turn a request's bytes or
/// handler time into the time its client must wait (`throttle_time_ms`).
public actor ClientQuotaManager: ClientQuotaService {
    /// Measurement windows and reload interval.
    public struct Configuration: Sendable, Equatable {
        /// Windows a rate is measured over (Kafka's `quota.window.num`). Default 11.
        public var samples = 11
        /// Length of one window in ms (Kafka's `quota.window.size.seconds` × 1000). Default 1,000.
        public var windowMs: Int64 = 1000
        /// How often the stored quotas are reloaded, in ms. Default 2,000.
        public var refreshMs: Int64 = 2000

        public init() {}
    }

    public nonisolated let configuration: Configuration
    private let store: (any MetadataStore)?
    private let logger: Logger
    private var table = ClientQuotaTable()
    private var meters: [MeterKey: QuotaRateSampler] = [:]
    private var loadedAtMs: Int64?
    private var reloading = false
    private let origin = ContinuousClock.now

    private struct MeterKey: Hashable {
        var key: ClientQuotaKey
        var meter: ClientQuotaMeter
    }

    /// - Parameter store: where quotas are kept; nil keeps them in memory only.
    public init(store: (any MetadataStore)?, configuration: Configuration = Configuration(), logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// Milliseconds on this manager's monotonic clock.
    public nonisolated var nowMs: Int64 {
        let elapsed = ContinuousClock.now - origin
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }

    // MARK: Enforcement

    public func recordUsage(_ usage: [ClientQuotaUsage], user: String, clientId: String) async -> Int32 {
        let now = nowMs
        refreshIfDue(now)
        guard !table.isEmpty else { return 0 }
        return usage.reduce(0) { max($0, record($1.key, amount: $1.amount, user: user, clientId: clientId, atMs: now)) }
    }

    /// `recordUsage` at a given time on the manager's clock (tests drive time with it).
    public func record(_ key: ClientQuotaKey, amount: Double, user: String, clientId: String, atMs now: Int64) -> Int32 {
        refreshIfDue(now)
        guard !table.isEmpty, let applied = table.quota(key, user: user, clientId: clientId) else { return 0 }
        let meterKey = MeterKey(key: key, meter: applied.meter)
        var sampler = meters[meterKey] ?? QuotaRateSampler(samples: configuration.samples, windowMs: configuration.windowMs)
        sampler.record(amount, atMs: now)
        meters[meterKey] = sampler
        let (rate, span) = sampler.measure(atMs: now)
        return QuotaRateSampler.throttleMs(perSecond: rate, bound: applied.bound, spanMs: span,
                                           capMs: Int64(configuration.samples) * configuration.windowMs)
    }

    /// The quota `key` that applies to a client now, if any.
    public func appliedQuota(_ key: ClientQuotaKey, user: String, clientId: String) -> AppliedClientQuota? {
        table.quota(key, user: user, clientId: clientId)
    }

    // MARK: Administration

    public func describe(_ components: [ClientQuotaFilterComponent], strict: Bool) async throws -> [ClientQuotaRecord] {
        let records = try await storedRecords()
        table = ClientQuotaTable(records)
        return records.filter { $0.entity.matches(components, strict: strict) }
    }

    public func alter(_ entity: ClientQuotaEntity, set changes: [ClientQuotaKey: Double?], validateOnly: Bool) async throws {
        guard !entity.isEmpty else { throw ClientQuotaError.emptyEntity }
        for case let (key, value?) in changes where !(value > 0) || !value.isFinite {
            throw ClientQuotaError.invalidValue(key: key, value: value)
        }
        guard !validateOnly else { return }
        if let store {
            try await store.alterClientQuotas(entity, set: changes)
            table = ClientQuotaTable(try await store.clientQuotas())
        } else {
            var values = table.entries[entity] ?? [:]
            for (key, value) in changes { values[key] = value }
            var entries = table.entries
            entries[entity] = values
            table = ClientQuotaTable(entries.map { ClientQuotaRecord(entity: $0.key, values: $0.value) })
        }
        loadedAtMs = nowMs
    }

    /// Reloads the stored quotas now.
    public func reload() async throws {
        table = ClientQuotaTable(try await storedRecords())
        loadedAtMs = nowMs
    }

    private func storedRecords() async throws -> [ClientQuotaRecord] {
        guard let store else { return table.entries.map { ClientQuotaRecord(entity: $0.key, values: $0.value) }.sorted { $0.entity < $1.entity } }
        return try await store.clientQuotas()
    }

    /// Starts a reload in the background when the last one is older than `refreshMs`;
    /// requests never wait for the store.
    private func refreshIfDue(_ now: Int64) {
        guard store != nil, !reloading else { return }
        if let loadedAtMs, now - loadedAtMs < configuration.refreshMs { return }
        reloading = true
        loadedAtMs = now
        Task { await self.backgroundReload() }
    }

    private func backgroundReload() async {
        defer { reloading = false }
        do {
            try await reload()
            let now = nowMs
            meters = meters.filter { !$0.value.isIdle(atMs: now) }
        } catch {
            logger.warning("client quotas: cannot reload from the metadata store, keeping the last ones: \(error)")
        }
    }
}
