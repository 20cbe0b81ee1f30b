// swift-tools-version:6.1
// Sluice: a Kafka-compatible log-streaming broker with a plugin architecture.
// See ../shared/DESIGN.md for the layout and the dependency rule this file encodes:
// the kernel depends on no plugin, plugins depend on the kernel only, and `Server`
// (the `sluice` executable) is the one composition root that knows every plugin.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sluice", targets: ["Server"]),
        .library(name: "SluiceKernel", targets: ["SluiceKernel"]),
        .library(name: "LogStorageConformance", targets: ["LogStorageConformance"]),
        .library(name: "MetadataStoreConformance", targets: ["MetadataStoreConformance"]),
        .library(name: "ClusterCoordinatorConformance", targets: ["ClusterCoordinatorConformance"]),
        .library(name: "ConformanceKit", targets: ["ConformanceKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // SCRAM's HMAC, SHA-2 and PBKDF2 (BoringSSL vendored in the package: no system library).
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // Certificate parsing for TLS: client-certificate subjects, key/certificate matching.
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.0"),
    ],
    targets: [
        // MARK: Kernel and its contract suites
        // The CPU's CRC-32C instruction for record batch checksums (C: Swift has no intrinsics).
        .target(name: "CRC32CHardware", path: "Sources/CRC32CHardware"),
        .target(
            name: "SluiceKernel",
            dependencies: ["CRC32CHardware", nioCore, logging, metrics, lifecycle],
            path: "Sources/Kernel",
            swiftSettings: strict),
        .target(
            name: "ConformanceKit",
            path: "Sources/Conformance/Kit",
            swiftSettings: strict),
        .target(
            name: "LogStorageConformance",
            dependencies: ["SluiceKernel", "ConformanceKit", nioCore],
            path: "Sources/Conformance/LogStorage",
            swiftSettings: strict),
        .target(
            name: "MetadataStoreConformance",
            dependencies: ["SluiceKernel", "ConformanceKit"],
            path: "Sources/Conformance/MetadataStore",
            swiftSettings: strict),
        .target(
            name: "ClusterCoordinatorConformance",
            dependencies: ["SluiceKernel", "ConformanceKit"],
            path: "Sources/Conformance/ClusterCoordinator",
            swiftSettings: strict),

        // MARK: Storage and metadata plugins
        .target(
            name: "SluiceMemory",
            dependencies: ["SluiceKernel", nioCore, logging],
            path: "Sources/StoragePlugins/Memory",
            swiftSettings: strict),
        .target(
            name: "SluiceSegmentLog",
            dependencies: ["SluiceKernel", nioCore, logging, metrics,
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            path: "Sources/StoragePlugins/SegmentLog",
            swiftSettings: strict),
        .target(
            name: "SluiceSQLite",
            dependencies: ["SluiceKernel", logging, .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/StoragePlugins/SQLiteMetadata",
            swiftSettings: strict),
        // Cluster mode's ZooKeeper client: the jute protocol in Swift on SwiftNIO, so the
        // broker needs neither a JVM nor a native ZooKeeper library (DESIGN.md, "A new machine").
        .target(
            name: "SluiceZooKeeper",
            dependencies: ["SluiceKernel", nioCore, nioPosix, logging],
            path: "Sources/StoragePlugins/ZooKeeperMetadata",
            swiftSettings: strict),

        // MARK: Kafka's batch compression codecs (a library, not a plugin)
        // gzip through zlib (a system library a new machine has); lz4 and zstd through
        // liblz4.so.1 and libzstd.so.1 loaded at run time; snappy written in Swift. Its `Zlib`
        // is the package's one zlib wrapper (the beats connector inflates through it too).
        .systemLibrary(
            name: "CZlib",
            path: "Sources/Compression/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(
            name: "SluiceCompression",
            dependencies: ["SluiceKernel", "CZlib", nioCore],
            path: "Sources/Compression/Codecs",
            swiftSettings: strict),

        // MARK: Security (libraries, not plugins)
        // SASL PLAIN and SCRAM-SHA-256/512, sans-io: message parsing, the server's SCRAM
        // exchange and credential derivation. The Kafka listener (and later HTTP) use it.
        .target(
            name: "SluiceSASL",
            dependencies: ["SluiceKernel", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "_CryptoExtras", package: "swift-crypto")],
            path: "Sources/Security/SASL",
            swiftSettings: strict),
        // TLS for listeners (kafka, beats, later http): settings, the server context with its
        // key/certificate checks, and the client-certificate principal.
        .target(
            name: "SluiceTLS",
            dependencies: ["SluiceKernel",
                           .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "X509", package: "swift-certificates")],
            path: "Sources/Security/TLS",
            swiftSettings: strict),

        // MARK: Protocol plugins
        // The Kafka wire, sans-io (DESIGN.md, "Style": Tansu): codec and message declarations
        // with no socket, no Channel and no kernel, so the server, the client, the tests and
        // the fuzzers all drive the same code. Log-file regions reach it as `WireFileRegion`.
        .target(
            name: "KafkaWire",
            dependencies: [nioCore],
            path: "Sources/ProtocolPlugins/Kafka/Wire",
            swiftSettings: strict),
        // A Kafka client on that wire (NIO sockets): the CLI, the benchmarks, replication and
        // the tests talk to brokers through it.
        .target(
            name: "SluiceKafkaClient",
            dependencies: ["KafkaWire", "SluiceKernel", nioCore, nioPosix,
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            path: "Sources/ProtocolPlugins/Kafka/Client",
            swiftSettings: strict),
        // The Kafka protocol plugin: the NIO server, the API handlers, and replication
        // between brokers over the Kafka protocol (through the client library).
        .target(
            name: "SluiceKafka",
            dependencies: ["KafkaWire", "SluiceKafkaClient", "SluiceKernel", "SluiceSASL", "SluiceTLS", nioCore, nioPosix, logging,
                           metrics, lifecycle,
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl")],
            path: "Sources/ProtocolPlugins/Kafka",
            exclude: ["Wire", "Client"],  // the two targets above
            sources: ["Server", "Handlers", "Replication"],
            swiftSettings: strict),
        .target(
            name: "SluiceHTTP",
            dependencies: ["SluiceKernel", "SluiceCompression", "SluiceSASL", "SluiceTLS", nioCore, logging, metrics, lifecycle,
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdCore", package: "hummingbird"),
                           .product(name: "HummingbirdTLS", package: "hummingbird"),
                           .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                           .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                           .product(name: "Prometheus", package: "swift-prometheus")],
            path: "Sources/ProtocolPlugins/HTTP",
            swiftSettings: strict),

        // MARK: Connectors
        .target(
            name: "SluiceFileSink",
            dependencies: ["SluiceKernel", "SluiceCompression", nioCore, logging, metrics, lifecycle],
            path: "Sources/Connectors/FileSink",
            exclude: ["README.md"],
            swiftSettings: strict),
        .target(
            name: "SluiceBeats",
            dependencies: [
                "SluiceKernel", "SluiceCompression", "SluiceTLS", nioCore, nioPosix, logging, metrics, lifecycle,
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Connectors/Beats",
            exclude: ["README.md"],
            swiftSettings: strict),

        // MARK: Composition root
        // The plugin catalog and the plugins.json loader: a library so that the `sluice`
        // executable and the config fuzz target compile the same code.
        .target(
            name: "SluiceServerConfig",
            dependencies: ["SluiceKernel", "SluiceMemory", "SluiceSegmentLog", "SluiceSQLite", "SluiceZooKeeper",
                           "SluiceKafka", "SluiceFileSink", "SluiceBeats", "SluiceHTTP"],
            path: "Sources/ServerConfig",
            swiftSettings: strict),
        .executableTarget(
            name: "Server",
            dependencies: [
                // The plugins come only through SluiceServerConfig's catalog and tools.
                "SluiceServerConfig", "SluiceKernel", "KafkaWire", "SluiceKafkaClient", "SluiceCompression", "SluiceSASL",
                nioCore, logging, metrics, lifecycle,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Server",
            swiftSettings: strict),

        // MARK: Fuzzing (entry code shared by the fuzz targets and their regression tests)
        .target(
            name: "SluiceFuzzEntries",
            dependencies: ["SluiceKernel", "KafkaWire", "SluiceFileSink", "SluiceBeats", "SluiceSASL", nioCore],
            path: "Sources/Fuzz/Entries",
            swiftSettings: strict),

        // MARK: Tests
        // Seeded random numbers for tests (SLUICE_TEST_SEED repeats a run); not a product.
        .target(
            name: "SluiceTestSupport",
            dependencies: ["SluiceKernel"],
            path: "Sources/TestSupport",
            swiftSettings: strict),
        .testTarget(
            name: "SluiceKernelTests",
            dependencies: ["SluiceKernel", "SluiceMemory", nioCore],
            swiftSettings: strict),
        .testTarget(
            name: "SluiceMemoryTests",
            dependencies: ["SluiceMemory", "SluiceKernel", "LogStorageConformance", "MetadataStoreConformance",
                           "ClusterCoordinatorConformance", nioCore],
            swiftSettings: strict),
        .testTarget(
            name: "SluiceZooKeeperTests",
            dependencies: ["SluiceZooKeeper", "SluiceKernel", "MetadataStoreConformance", "ClusterCoordinatorConformance",
                           "ConformanceKit", nioCore, logging],
            swiftSettings: strict),
        .testTarget(
            name: "SluiceSegmentLogTests",
            dependencies: ["SluiceTestSupport", "SluiceSegmentLog", "SluiceKernel", "LogStorageConformance", "ConformanceKit", nioCore,
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            swiftSettings: strict),
        .testTarget(
            name: "SluiceSQLiteTests",
            dependencies: [
                "SluiceTestSupport",
                "SluiceSQLite", "SluiceKernel", "MetadataStoreConformance", "ConformanceKit",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "SluiceKafkaTests",
            dependencies: ["SluiceTestSupport", "SluiceKafka", "SluiceTLS", "SluiceSASL", "KafkaWire", "SluiceKafkaClient", "SluiceKernel", "SluiceMemory", "SluiceSegmentLog", nioCore, nioPosix, logging, lifecycle,
                           .product(name: "NIOEmbedded", package: "swift-nio")],
            exclude: ["Golden"],  // wire captures the golden tests read from disk
            swiftSettings: strict),
        .testTarget(
            name: "SluiceFileSinkTests",
            dependencies: ["SluiceTestSupport", "SluiceFileSink", "SluiceKernel", "SluiceMemory", "SluiceCompression", nioCore, logging, lifecycle,
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                           .product(name: "InMemoryLogging", package: "swift-log")],
            swiftSettings: strict),
        .testTarget(
            name: "SluiceBeatsTests",
            dependencies: ["SluiceTestSupport", "SluiceBeats", "SluiceTLS", "SluiceKernel", "SluiceMemory", "SluiceCompression", nioCore, nioPosix, logging, metrics,
                           .product(name: "NIOEmbedded", package: "swift-nio")],
            swiftSettings: strict),
        .testTarget(
            name: "SluiceSASLTests",
            dependencies: ["SluiceSASL", "SluiceKernel"],
            swiftSettings: strict),
        .testTarget(
            name: "SluiceCompressionTests",
            dependencies: ["SluiceTestSupport", "SluiceCompression", "SluiceKernel", nioCore],
            swiftSettings: strict),
        .testTarget(
            name: "SluiceFuzzTests",
            dependencies: ["SluiceFuzzEntries", "KafkaWire", "SluiceKernel", "SluiceFileSink", "SluiceBeats", "SluiceSASL", nioCore],
            swiftSettings: strict),
        .testTarget(
            name: "SluiceHTTPTests",
            dependencies: ["SluiceHTTP", "SluiceKernel", "SluiceSASL", "SluiceMemory", nioCore, nioPosix, logging, metrics, lifecycle,
                           .product(name: "NIOEmbedded", package: "swift-nio"),
                           .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdTesting", package: "hummingbird"),
                           .product(name: "Prometheus", package: "swift-prometheus")],
            swiftSettings: strict),
        .testTarget(
            name: "ServerTests",
            dependencies: ["Server", "SluiceServerConfig", "SluiceKernel"],
            swiftSettings: strict),
    ]
)

// MARK: libFuzzer targets
// Only in the manifest when SLUICE_FUZZ=1 (scripts/fuzz sets it and builds in its own
// .build-fuzz with ASan and coverage instrumentation): they link libFuzzer and hand it
// their command line, so the normal build must not see them.
if Context.environment["SLUICE_FUZZ"] == "1" {
    let fuzzer: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer"])]
    let targets: [(product: String, target: String, dependencies: [Target.Dependency])] = [
        ("fuzz-kafka-request", "FuzzKafkaRequest", ["SluiceFuzzEntries"]),
        ("fuzz-record-batch", "FuzzRecordBatch", ["SluiceFuzzEntries"]),
        ("fuzz-lumberjack", "FuzzLumberjack", ["SluiceFuzzEntries"]),
        ("fuzz-sasl", "FuzzSasl", ["SluiceFuzzEntries"]),
        ("fuzz-config", "FuzzConfig", ["SluiceServerConfig"]),
    ]
    package.targets.append(.target(name: "CLibFuzzer", path: "Sources/Fuzz/CLibFuzzer"))
    for fuzz in targets {
        let directory = String(fuzz.target.dropFirst("Fuzz".count))
        package.targets.append(.executableTarget(name: fuzz.target, dependencies: fuzz.dependencies + ["CLibFuzzer"],
                                                 path: "Sources/Fuzz/\(directory)", swiftSettings: strict,
                                                 linkerSettings: fuzzer))
        package.products.append(.executable(name: fuzz.product, targets: [fuzz.target]))
    }
}
