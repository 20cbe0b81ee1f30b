import Foundation
import Logging
import Metrics
import ServiceLifecycle
import SluiceCompression
import SluiceKernel
import SluiceServerConfig

/// Why `sluice serve` could not start or keep running.
struct ServeError: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32 = 1
}

/// Builds the plugins of a configuration in dependency order (metadata, storage, kernel,
/// protocols, sources, sinks) and runs them as one service group that stops in reverse
/// order on SIGINT/SIGTERM. It names no plugin type: each comes from `PluginCatalog`, and
/// protocol plugins and connectors get the kernel's narrow services, never the `Broker`.
struct Server {
    let config: SluiceConfig
    let logger: Logger
    let pidFile: String?
    /// Each service's state, filled as the group starts them; read by the http plugin.
    let statusBoard = ServiceStatusBoard()

    func run() async throws {
        let dataDir = URL(fileURLWithPath: config.broker.dataDir, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        do {
            try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
        } catch {
            throw ServeError(description: "cannot create the data directory \(dataDir.path): \(error.localizedDescription)")
        }
        if let pidFile {
            try? "\(ProcessInfo.processInfo.processIdentifier)\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        }
        defer { if let pidFile { try? FileManager.default.removeItem(atPath: pidFile) } }

        if let backend = config.protocols.lazy.compactMap({ $0.entry.metricsBackend() }).first {
            // Once per process, and only when a plugin exports metrics (http's /metrics):
            // otherwise every metric stays swift-metrics' no-op.
            MetricsSystem.bootstrap(backend)
        }
        let fileLimit = raiseOpenFileLimit()
        let metadata = try await makeMetadata(dataDir: dataDir)
        let storage: any LogStorage
        do {
            storage = try await makeStorage(dataDir: dataDir)
        } catch {
            try? await metadata.close()
            throw error
        }
        // A metadata plugin that also coordinates brokers (zookeeper) makes this node part
        // of a cluster; any other runs a single node.
        let coordinator = metadata as? any ClusterCoordinator
        let broker = Broker(config: config.broker, storage: storage, metadata: metadata, logger: logger, coordinator: coordinator,
                            codec: CompressionBatchCodec())
        do {
            try await broker.start()
        } catch {
            await broker.shutdown()
            try? await metadata.close()
            throw ServeError(description: "the broker could not load its topics: \(error)")
        }
        await reportOpenFileNeeds(fileLimit, broker: broker, storage: storage)

        let metadataLabel = "metadata (\(config.metadata.entry.name))"
        await statusBoard.register(label: metadataLabel, instance: "metadata", plugin: config.metadata.entry.name, kind: .metadata)
        await statusBoard.register(label: "broker", instance: "broker", plugin: config.storage.entry.name, kind: .storage)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: NamedService(name: metadataLabel, inner: MetadataService(store: metadata, logger: logger), statusBoard: statusBoard)),
            .init(service: NamedService(name: "broker", inner: BrokerService(broker: broker, logger: logger), statusBoard: statusBoard)),
        ]
        if config.broker.logCleanerEnabled {
            // Its own service, so compaction runs on its own task, off the produce path.
            services.append(.init(service: NamedService(name: "log cleaner", inner: LogCleaner(broker: broker, logger: logger))))
        }
        var controlledShutdown: ControlledShutdownService?
        var clusterOperations: (any ClusterOperations)?
        if let coordinator, let view = broker.clusterView {
            var replicaLogger = logger
            replicaLogger[metadataKey: "component"] = "replication"
            let transport = PluginCatalog.replicaTransport.makeReplicaTransport(clientId: "sluice-replica-\(config.broker.id)",
                                                                                logger: replicaLogger)
            // Its own connections: a leader answers markers only once its followers fetched
            // them, and a follower's fetch must not queue behind a marker request on the
            // replication connection to that leader.
            let transactionClient = PluginCatalog.replicaTransport.makeReplicaTransport(
                clientId: "sluice-transactions-\(config.broker.id)", logger: replicaLogger)
            if let transactionTransport = transactionClient as? any TransactionTransport {
                await broker.attachClusterTransactions(transport: transactionTransport)
            }
            var replication = ReplicationConfig(broker: config.broker)
            replication.highWatermarkCheckpointPath = dataDir.appendingPathComponent(HighWatermarkCheckpoint.fileName).path
            let replicas = ReplicaManager(broker: broker, coordinator: coordinator, transport: transport,
                                          config: replication, logger: replicaLogger)
            let node = ClusterNode(broker: broker, coordinator: coordinator, view: view, replicas: replicas, logger: logger)
            clusterOperations = node
            await statusBoard.register(label: "cluster", instance: "cluster", plugin: config.metadata.entry.name, kind: .metadata)
            services.append(.init(service: NamedService(name: "cluster", inner: ClusterService(node: node, listener: broker.listener),
                                                        statusBoard: statusBoard)))
            controlledShutdown = ControlledShutdownService(node: node, timeout: .milliseconds(replication.controlledShutdownTimeoutMs))
        }
        do {
            services += try await makeFrontEnds(broker: broker, cluster: clusterOperations, dataDir: dataDir)
        } catch {
            await broker.shutdown()
            try? await metadata.close()
            throw error
        }

        services.append(.init(service: NamedService(name: "announcement", inner: ServingAnnouncement(logger: logger, metadata: [
            "dataDir": "\(dataDir.path)", "storage": "\(config.storage.entry.name)", "metadata": "\(config.metadata.entry.name)",
            "protocols": "\(config.protocols.map(\.entry.name))", "connectors": "\(config.connectors.map(\.name))",
        ]))))
        if let controlledShutdown {
            // Last started, so first stopped: leaderships move while the listeners still answer.
            services.append(.init(service: NamedService(name: "controlled shutdown", inner: controlledShutdown)))
        }
        var groupLogger = logger
        groupLogger.logLevel = max(logger.logLevel, .notice)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: groupLogger))
        do {
            try await group.run()
        } catch {
            throw ServeError(description: "a service failed: \(error)")
        }
        logger.info("sluice stopped cleanly")
    }

    private func context<Entry>(_ instance: SluiceConfig.Instance<Entry>, dataDir: URL) -> PluginContext {
        var pluginLogger = logger
        pluginLogger[metadataKey: "plugin"] = "\(instance.entry.name)"
        pluginLogger[metadataKey: "instance"] = "\(instance.name)"
        return PluginContext(instanceName: instance.name, dataDirectory: dataDir, logger: pluginLogger, statusBoard: statusBoard)
    }

    /// Runs a plugin's `make`, naming the instance when it fails.
    private func starting<Entry, Made>(_ instance: SluiceConfig.Instance<Entry>,
                                       _ make: () async throws -> Made) async throws -> Made {
        do {
            return try await make()
        } catch {
            throw ServeError(description: "\(instance.label) failed to start: \(error)")
        }
    }

    private func makeMetadata(dataDir: URL) async throws -> any MetadataStore {
        let instance = config.metadata
        return try await starting(instance) { try await instance.entry.make(instance.config, context(instance, dataDir: dataDir)) }
    }

    private func makeStorage(dataDir: URL) async throws -> any LogStorage {
        let instance = config.storage
        return try await starting(instance) { try await instance.entry.make(instance.config, context(instance, dataDir: dataDir)) }
    }

    /// Protocol plugins, then sources, then sinks: the order they start in. Each gets the
    /// kernel's services for its role, made from the broker here and nowhere else.
    private func makeFrontEnds(broker: Broker, cluster: (any ClusterOperations)?,
                               dataDir: URL) async throws -> [ServiceGroupConfiguration.ServiceConfiguration] {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var protocolServices = ProtocolServices(broker: broker)
        protocolServices.cluster = cluster
        for instance in config.protocols {
            await statusBoard.register(label: instance.label, instance: instance.name, plugin: instance.entry.name, kind: instance.entry.kind)
            let plugin = try await starting(instance) {
                try await instance.entry.make(instance.config, context(instance, dataDir: dataDir), protocolServices)
            }
            services.append(.init(service: NamedService(name: instance.label, inner: plugin, statusBoard: statusBoard)))
        }
        let connectorServices = ConnectorServices(broker: broker)
        let connectors = config.connectors.filter { $0.entry.kind == .source } + config.connectors.filter { $0.entry.kind == .sink }
        for instance in connectors {
            await statusBoard.register(label: instance.label, instance: instance.name, plugin: instance.entry.name, kind: instance.entry.kind)
            let connector = try await starting(instance) {
                try await instance.entry.make(instance.config, context(instance, dataDir: dataDir), connectorServices)
            }
            services.append(.init(service: NamedService(name: instance.label, inner: connector, statusBoard: statusBoard)))
        }
        return services
    }
}
