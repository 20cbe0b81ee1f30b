import ConformanceKit
import Foundation
import SluiceKernel

/// Client quotas: per-entity values, defaults kept apart from names, removal.
extension MetadataStoreConformance {
    func clientQuotas(_ store: any MetadataStore) async throws {
        let alice = ClientQuotaEntity(user: .named("quota-alice"), clientId: .named("app/1,x"))
        let defaults = ClientQuotaEntity(user: .defaultName)
        let client = ClientQuotaEntity(clientId: .named("<default>"))
        try await store.alterClientQuotas(alice, set: [.producerByteRate: 1_048_576, .requestPercentage: 12.5])
        try await store.alterClientQuotas(defaults, set: [.consumerByteRate: 2_000])
        try await store.alterClientQuotas(client, set: [.producerByteRate: 100])
        let listed = try await store.clientQuotas()
        try conform(listed.map(\.entity) == [alice, defaults, client].sorted(), "clientQuotas() lists every entity, sorted, got \(listed.map(\.entity))")
        let byEntity = Dictionary(uniqueKeysWithValues: listed.map { ($0.entity, $0.values) })
        try conform(byEntity[alice] == [.producerByteRate: 1_048_576, .requestPercentage: 12.5], "values round-trip exactly, got \(String(describing: byEntity[alice]))")
        try conform(byEntity[client] == [.producerByteRate: 100], "a client id named \"<default>\" is not the default, got \(String(describing: byEntity[client]))")

        try await store.alterClientQuotas(alice, set: [.producerByteRate: 2_048, .requestPercentage: nil, .consumerByteRate: nil])
        let changed = try await store.clientQuotas().first { $0.entity == alice }
        try conform(changed?.values == [.producerByteRate: 2_048], "an alteration sets and removes keys of one entity, got \(String(describing: changed))")
        try await store.alterClientQuotas(defaults, set: [.consumerByteRate: nil])
        try conform(try await store.clientQuotas().map(\.entity) == [alice, client].sorted(), "an entity without any quota left is gone")
        try await store.alterClientQuotas(ClientQuotaEntity(user: .named("quota-nobody")), set: [.producerByteRate: nil])
        try conform(try await store.clientQuotas().count == 2, "removing an absent quota stores nothing")
    }

    func reopenKeepsClientQuotas() async throws {
        let entity = ClientQuotaEntity(user: .defaultName, clientId: .defaultName)
        try await withStore { store in try await store.alterClientQuotas(entity, set: [.consumerByteRate: 4_096.5]) }
        try await withStore { store in
            let got = try await store.clientQuotas().first { $0.entity == entity }
            try conform(got?.values == [.consumerByteRate: 4_096.5], "client quotas must survive a reopen, got \(String(describing: got))")
        }
    }
}
