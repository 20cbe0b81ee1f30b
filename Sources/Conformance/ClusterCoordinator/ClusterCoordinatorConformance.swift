import ConformanceKit
import SluiceKernel

/// The `ClusterCoordinator` contract as executable checks. A coordination plugin's tests
/// run it with a factory of fresh, isolated clusters (each check gets its own):
///
/// ```swift
/// let report = await ClusterCoordinatorConformance {
///     let cluster = InMemoryCluster()
///     return .init(newSession: { let s = cluster.session(); return .init(coordinator: s, end: { await s.expire() }) },
///                  changeTopics: { await cluster.topicsChanged() })
/// }.run()
/// #expect(report.failures.isEmpty, "\(report)")
/// ```
public struct ClusterCoordinatorConformance: Sendable {
    /// One broker's session: its coordinator and how to end it as a dying process would.
    public struct Session: Sendable {
        public var coordinator: any ClusterCoordinator
        /// Ends the session (its registration and controller claim must go).
        public var end: @Sendable () async throws -> Void

        public init(coordinator: any ClusterCoordinator, end: @escaping @Sendable () async throws -> Void) {
            self.coordinator = coordinator
            self.end = end
        }
    }

    /// A fresh cluster no other check uses.
    public struct Cluster: Sendable {
        /// Opens a new session (a broker process connecting).
        public var newSession: @Sendable () async throws -> Session
        /// Changes the topic registry the sessions share, so they see `topicsChanged`.
        public var changeTopics: @Sendable () async throws -> Void

        public init(newSession: @escaping @Sendable () async throws -> Session, changeTopics: @escaping @Sendable () async throws -> Void) {
            self.newSession = newSession
            self.changeTopics = changeTopics
        }
    }

    public var makeCluster: @Sendable () async throws -> Cluster
    /// How long a check waits for an event to arrive. Default 15 s (loaded machines).
    public var eventTimeout: Duration

    public init(eventTimeout: Duration = .seconds(15), makeCluster: @escaping @Sendable () async throws -> Cluster) {
        self.makeCluster = makeCluster
        self.eventTimeout = eventTimeout
    }

    public static let checkNames = [
        "registerAndLiveBrokers", "duplicateBrokerIdRefused", "sessionEndRemovesBrokerAndController",
        "claimControllerOncePerEpoch", "epochsIncreaseAcrossElections", "partitionStateLifecycle",
        "eventsForEveryKind", "reassignmentsStoredAndRemovedWhileUnchanged",
    ]

    public func run() async -> ConformanceReport {
        var report = ConformanceReport()
        await report.check("registerAndLiveBrokers") { try await withCluster(registerAndLiveBrokers) }
        await report.check("duplicateBrokerIdRefused") { try await withCluster(duplicateBrokerIdRefused) }
        await report.check("sessionEndRemovesBrokerAndController") { try await withCluster(sessionEndRemovesBrokerAndController) }
        await report.check("claimControllerOncePerEpoch") { try await withCluster(claimControllerOncePerEpoch) }
        await report.check("epochsIncreaseAcrossElections") { try await withCluster(epochsIncreaseAcrossElections) }
        await report.check("partitionStateLifecycle") { try await withCluster(partitionStateLifecycle) }
        await report.check("eventsForEveryKind") { try await withCluster(eventsForEveryKind) }
        await report.check("reassignmentsStoredAndRemovedWhileUnchanged") {
            try await withCluster(reassignmentsStoredAndRemovedWhileUnchanged)
        }
        return report
    }

    /// Runs a check with a fresh cluster; every session it opened is ended afterwards.
    func withCluster(_ body: (Sessions) async throws -> Void) async throws {
        let sessions = Sessions(try await makeCluster(), eventTimeout: eventTimeout)
        do {
            try await body(sessions)
        } catch {
            await sessions.endAll()
            throw error
        }
        await sessions.endAll()
    }
}

/// The sessions one check opened, ended together when it finishes.
actor Sessions {
    let cluster: ClusterCoordinatorConformance.Cluster
    let eventTimeout: Duration
    private var open: [ClusterCoordinatorConformance.Session] = []
    private var recorders: [EventRecorder] = []

    init(_ cluster: ClusterCoordinatorConformance.Cluster, eventTimeout: Duration) {
        self.cluster = cluster
        self.eventTimeout = eventTimeout
    }

    /// A new session's coordinator and a recorder of its events (subscribed first).
    func next() async throws -> (any ClusterCoordinator, EventRecorder, ClusterCoordinatorConformance.Session) {
        let session = try await cluster.newSession()
        open.append(session)
        let recorder = EventRecorder(session.coordinator.events(), timeout: eventTimeout)
        recorders.append(recorder)
        // `events()` subscribes asynchronously: let it take effect before the check acts.
        try await Task.sleep(for: .milliseconds(200))
        return (session.coordinator, recorder, session)
    }

    func endAll() async {
        for session in open { try? await session.end() }
        open.removeAll()
        for recorder in recorders { await recorder.stop() }
        recorders.removeAll()
    }
}

/// Collects a stream's events so a check can wait (bounded) for one to arrive.
actor EventRecorder {
    private var seen: [ClusterEvent] = []
    private var task: Task<Void, Never>?
    private var stopped = false
    let timeout: Duration

    init(_ stream: AsyncStream<ClusterEvent>, timeout: Duration) {
        self.timeout = timeout
        task = nil
        Task { await self.start(stream) }
    }

    private func start(_ stream: AsyncStream<ClusterEvent>) {
        guard !stopped else { return }
        task = Task { for await event in stream { self.record(event) } }
    }

    private func record(_ event: ClusterEvent) { seen.append(event) }

    /// Stops listening (the stream of a coordinator that outlives the check may never end).
    func stop() {
        stopped = true
        task?.cancel()
        task = nil
    }

    /// Forgets what arrived so far.
    func reset() { seen.removeAll() }

    /// Waits up to the timeout for `event`; fails the check naming `why` otherwise.
    func expect(_ event: ClusterEvent, _ why: String) async throws {
        let deadline = ContinuousClock.now + timeout
        while !seen.contains(event) {
            guard ContinuousClock.now < deadline else {
                throw ConformanceViolation("\(why): expected \(event) within \(timeout), got \(seen)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
