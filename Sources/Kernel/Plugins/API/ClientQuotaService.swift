/// Client quotas as a protocol plugin sees them: metering usage into throttle times, and
/// the DescribeClientQuotas / AlterClientQuotas administration.
public protocol ClientQuotaService: Sendable {
    /// Counts each usage against its quota for the client with this user (principal name,
    /// `ANONYMOUS` without authentication) and client id, and returns how long, in ms, the
    /// client must now wait: the longest of the quotas' throttle times (0 when within
    /// every quota or without any).
    func recordUsage(_ usage: [ClientQuotaUsage], user: String, clientId: String) async -> Int32
    /// Stored quotas of the entities that pass the filter, sorted by entity.
    func describe(_ components: [ClientQuotaFilterComponent], strict: Bool) async throws -> [ClientQuotaRecord]
    /// Sets (a value) or removes (nil) quotas of one entity, durably; with `validateOnly`
    /// only checks them. Throws `ClientQuotaError` for an invalid alteration.
    func alter(_ entity: ClientQuotaEntity, set changes: [ClientQuotaKey: Double?], validateOnly: Bool) async throws
}

/// What one request used of a quota.
public struct ClientQuotaUsage: Sendable, Equatable {
    public var key: ClientQuotaKey
    /// Bytes for the byte rates; percent-seconds of handler time (100 × seconds) for
    /// `requestPercentage`.
    public var amount: Double

    public init(_ key: ClientQuotaKey, _ amount: Double) {
        self.key = key
        self.amount = amount
    }

    /// Handler time as `requestPercentage` counts it.
    public static func handlerTime(_ elapsed: Duration) -> ClientQuotaUsage {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return ClientQuotaUsage(.requestPercentage, seconds * 100)
    }
}
