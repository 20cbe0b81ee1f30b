/// Client quotas as a protocol plugin sees them: metering usage into throttle times, and
/// the DescribeClientQuotas / AlterClientQuotas administration.
public protocol ClientQuotaService: Sendable {
    /// Counts `amount` (bytes for the byte rates; percent-seconds of handler time for
    /// `requestPercentage`) against the quota `key` of the client with this user
    /// (principal name, `ANONYMOUS` without authentication) and client id, and returns how
    /// long, in ms, the client must now wait (0 when within its quota or without one).
    func recordUsage(_ key: ClientQuotaKey, amount: Double, user: String, clientId: String) async -> Int32
    /// Stored quotas of the entities that pass the filter, sorted by entity.
    func describe(_ components: [ClientQuotaFilterComponent], strict: Bool) async throws -> [ClientQuotaRecord]
    /// Sets (a value) or removes (nil) quotas of one entity, durably; with `validateOnly`
    /// only checks them. Throws `ClientQuotaError` for an invalid alteration.
    func alter(_ entity: ClientQuotaEntity, set changes: [ClientQuotaKey: Double?], validateOnly: Bool) async throws
}
