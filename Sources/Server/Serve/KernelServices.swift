import Foundation
import Logging
import ServiceLifecycle
import SluiceKernel

/// Keeps the metadata store open for the life of the service group and closes it last.
struct MetadataService: Service {
    let store: any MetadataStore
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        do { try await store.close() } catch { logger.error("closing the metadata store failed: \(error)") }
    }
}

/// Runs retention on its schedule; on shutdown flushes every partition and closes
/// storage (after protocols and connectors have stopped, so in-flight appends are done).
struct BrokerService: Service {
    let broker: Broker
    let logger: Logger

    func run() async throws {
        let interval = Duration.milliseconds(broker.config.retentionCheckIntervalMs)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                await broker.applyRetention()
            }
        }
        await broker.shutdown()
        logger.info("broker stopped: partitions flushed, storage closed")
    }
}

/// Cluster mode: the broker's membership (registration, events, controller) for the life of
/// the service group. Stopped before the broker, after the protocols.
struct ClusterService: Service {
    let node: ClusterNode
    let listener: AdvertisedListener

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await node.run(listener: listener)
        }
    }
}

/// Cluster mode: the first service a SIGTERM stops (it is the last started). Before the
/// listeners close, asks the controller to move this broker's leaderships to in-sync
/// followers and waits for that (at most `timeout`), so clients move to the new leaders
/// at once instead of waiting for the coordination session to expire.
struct ControlledShutdownService: Service {
    let node: ClusterNode
    let timeout: Duration

    func run() async throws {
        do { try await gracefulShutdown() } catch { return }   // cancelled: no controlled stop
        guard timeout > .zero else { return }
        await node.controlledShutdown(timeout: timeout)
    }
}

/// Adapts a plugin service so the group's log names it, and records its lifecycle on
/// the status board (readiness, `/api/connectors`): running once `run()` is entered,
/// stopped when it returns, failed with the error when it throws.
struct NamedService: Service, CustomStringConvertible {
    let name: String
    let inner: any Service
    var statusBoard: ServiceStatusBoard? = nil
    var description: String { name }

    func run() async throws {
        await statusBoard?.set(name, .running)
        do {
            try await inner.run()
            await statusBoard?.set(name, .stopped)
        } catch {
            await statusBoard?.set(name, .failed, error: "\(error)")
            throw error
        }
    }
}

/// The last service of the group: it logs "sluice serving" once every service before it
/// was started, and after `ServiceGroup.run()` trapped SIGTERM/SIGINT (the group installs
/// its signal handlers before it starts any service), so a supervisor or test that waits
/// for the line can stop the server with a signal at once and always get a clean stop.
struct ServingAnnouncement: Service {
    let logger: Logger
    let metadata: Logger.Metadata

    func run() async throws {
        logger.info("sluice serving", metadata: metadata)
        try? await gracefulShutdown()
    }
}
