import ConformanceKit
import Foundation
import MetadataStoreConformance
import SluiceKernel
import SluiceSQLite
import Testing

/// The kernel's `MetadataStore` contract, run against the plugin on a real file.
@Suite struct SQLiteConformanceTests {
    @Test func sqliteStorePassesMetadataStoreConformanceOnARealFile() async throws {
        try await withTemporaryDirectory { dir in
            let context = PluginContext(instanceName: "metadata", dataDirectory: dir, logger: .init(label: "conformance"))
            // Made through the factory, as `sluice serve` does; every call reopens the same file.
            let report = await MetadataStoreConformance(durable: true) {
                try await SQLiteMetadataFactory.make(SQLiteMetadataFactory.Configuration(), context: context)
            }.run()
            #expect(report.failures.isEmpty, "\(report)")
            #expect(report.passed.count == MetadataStoreConformance.checkNames.count, "every check runs: \(report.passed)")
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("metadata.sqlite").path))
        }
    }
}
